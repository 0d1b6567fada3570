using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;

namespace Keyhaven.Storage.Records;

/// <summary>
/// The domain's view of storage: plaintext records in, sealed records out. Every value passes through the
/// <see cref="StorageBarrier"/> on its way to or from the untrusted <see cref="IStorageBackend"/>.
/// </summary>
public sealed class RecordStore(IStorageBackend backend, StorageBarrier barrier)
{
    /// <summary>Commits of other nodes sharing the storage: caches over this store empty themselves on each (see <see cref="RecordCache{T}"/>).</summary>
    public StorageChangeFeed Changes => backend.Changes;

    /// <summary>Starts a transaction; pass <paramref name="write"/> when it will put or delete.</summary>
    public async ValueTask<RecordTransaction> BeginAsync(bool write, CancellationToken cancellationToken) =>
        new(await backend.BeginAsync(write, cancellationToken), barrier);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it, retrying from the start when another
    /// writer got there first (optimistic concurrency).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<RecordTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await BeginAsync(write: true, cancellationToken);
            try
            {
                var result = await work(transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (StorageConflictException) when (attempt < attempts)
            {
                // Another writer changed a record we read; start over with fresh reads.
            }
        }
    }
}
