namespace Keyhaven.Storage.Backends;

/// <summary>
/// A unit of work on untrusted storage. Writes use optimistic concurrency: each names the version it expects
/// (0 for "must not exist") and fails with <see cref="StorageConflictException"/> when the stored one differs.
/// Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
public interface IStorageTransaction : IAsyncDisposable
{
    ValueTask<StorageEntry?> GetAsync(StorageKey key, CancellationToken cancellationToken);

    /// <summary>Lists records of <paramref name="table"/> whose id starts with <paramref name="idPrefix"/>, in ordinal id order, after <paramref name="afterId"/> when given.</summary>
    ValueTask<IReadOnlyList<StorageEntry>> ListAsync(string table, string idPrefix, string? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/> as version <paramref name="expectedVersion"/> + 1.</summary>
    ValueTask PutAsync(StorageKey key, long expectedVersion, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    ValueTask DeleteAsync(StorageKey key, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>The names of the tables that hold at least one record, in ordinal order.</summary>
    ValueTask<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates a record exactly as another backend held it: the same (sealed) bytes at the same version, so the
    /// barrier's associated data still matches. For copying a deployment between backends.
    /// </summary>
    /// <exception cref="StorageConflictException">The record exists.</exception>
    ValueTask ImportAsync(StorageEntry entry, CancellationToken cancellationToken);

    ValueTask CommitAsync(CancellationToken cancellationToken);
}
