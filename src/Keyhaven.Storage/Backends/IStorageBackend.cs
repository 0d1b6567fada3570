namespace Keyhaven.Storage.Backends;

/// <summary>
/// Untrusted storage: versioned opaque records with get/put/delete/list inside transactions, nothing more.
/// Backends never see plaintext; the <see cref="Barrier.StorageBarrier"/> seals every value before it gets here.
/// </summary>
public interface IStorageBackend : IAsyncDisposable
{
    /// <summary>Creates or migrates the backend's schema. Safe to call on every start.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction. A write transaction serializes with other writers.</summary>
    ValueTask<IStorageTransaction> BeginAsync(bool write, CancellationToken cancellationToken);
}
