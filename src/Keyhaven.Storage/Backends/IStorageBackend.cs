namespace Keyhaven.Storage.Backends;

/// <summary>
/// Untrusted storage: versioned opaque records with get/put/delete/list inside transactions, nothing more.
/// Backends never see plaintext; the <see cref="Barrier.StorageBarrier"/> seals every value before it gets here.
/// </summary>
/// <remarks>
/// Table names and ids are stored in the clear and must not contain U+0000. Listing orders ids by their UTF-8 bytes
/// (the same as ordinal order for the ASCII ids the domain uses).
/// </remarks>
public interface IStorageBackend : IAsyncDisposable
{
    /// <summary>Creates or migrates the backend's schema. Safe to call on every start, and from several nodes at once.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction. A write transaction serializes with other writers (of every process sharing the storage).</summary>
    ValueTask<IStorageTransaction> BeginAsync(bool write, CancellationToken cancellationToken);

    /// <summary>Commits made by other processes sharing this storage; see <see cref="StorageChangeFeed"/>.</summary>
    StorageChangeFeed Changes { get; }

    /// <summary>
    /// Whether this process should run the cluster-wide background work now (at most one process at a time holds this,
    /// and another takes over when it dies). Always true for a backend only one process can open.
    /// </summary>
    ValueTask<bool> HoldsLeadershipAsync(CancellationToken cancellationToken);
}
