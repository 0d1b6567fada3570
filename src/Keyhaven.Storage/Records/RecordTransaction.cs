using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;

namespace Keyhaven.Storage.Records;

/// <summary>A transaction over plaintext records; seals on write and unseals on read. Not thread-safe.</summary>
public sealed class RecordTransaction(IStorageTransaction inner, StorageBarrier barrier) : IAsyncDisposable
{
    public async ValueTask<Record?> GetAsync(StorageKey key, CancellationToken cancellationToken)
    {
        var entry = await inner.GetAsync(key, cancellationToken);
        return entry is null ? null : new Record(key, entry.Version, barrier.Unseal(entry));
    }

    public async ValueTask<IReadOnlyList<Record>> ListAsync(string table, string idPrefix, string? afterId, int limit, CancellationToken cancellationToken)
    {
        var entries = await inner.ListAsync(table, idPrefix, afterId, limit, cancellationToken);
        return entries.Select(e => new Record(e.Key, e.Version, barrier.Unseal(e))).ToList();
    }

    /// <summary>Stores <paramref name="plaintext"/> as version <paramref name="expectedVersion"/> + 1 (0 creates).</summary>
    /// <exception cref="StorageConflictException">The stored version is not <paramref name="expectedVersion"/>.</exception>
    public ValueTask PutAsync(StorageKey key, long expectedVersion, ReadOnlySpan<byte> plaintext, CancellationToken cancellationToken) =>
        inner.PutAsync(key, expectedVersion, barrier.Seal(key, expectedVersion + 1, plaintext), cancellationToken);

    public ValueTask DeleteAsync(StorageKey key, long expectedVersion, CancellationToken cancellationToken) =>
        inner.DeleteAsync(key, expectedVersion, cancellationToken);

    public ValueTask CommitAsync(CancellationToken cancellationToken) => inner.CommitAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
