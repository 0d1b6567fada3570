using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// Loads and saves keys through the barrier and keeps unsealed keys in memory, so that cryptographic calls do not
/// touch storage. Every write goes through <see cref="UpdateAsync"/> or <see cref="CreateAsync"/>, which refresh the
/// cache after the commit; another node's commit empties it (<see cref="RecordCache{T}"/>). Thread-safe.
/// </summary>
public sealed class KeyRepository(RecordStore store)
{
    internal const string Table = "keys";
    private readonly RecordCache<KmsKey> _cache = new(store.Changes);

    public RecordStore Store => store;

    internal static StorageKey StorageKeyFor(AccountId account, string region, KeyId keyId) => new(Table, $"{account}/{region}/{keyId}");

    /// <summary>Finds a key, from memory when it was seen before.</summary>
    public async ValueTask<KmsKey?> FindAsync(AccountId account, string region, KeyId keyId, CancellationToken cancellationToken)
    {
        var storageKey = StorageKeyFor(account, region, keyId);
        if (_cache.TryGet(storageKey.Id, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var key = await ReadAsync(transaction, storageKey, cancellationToken);
        if (key is not null)
        {
            _cache.Populate(storageKey.Id, key, generation);
        }

        return key;
    }

    /// <summary>Lists the keys of one account and region in id order, after <paramref name="afterKeyId"/>.</summary>
    public async Task<IReadOnlyList<KmsKey>> ListAsync(AccountId account, string region, string? afterKeyId, int limit, CancellationToken cancellationToken)
    {
        var prefix = $"{account}/{region}/";
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var records = await transaction.ListAsync(Table, prefix, afterKeyId is null ? null : prefix + afterKeyId, limit, cancellationToken);
        return records.Select(ToKey).ToList();
    }

    /// <summary>Lists every key of every account (for background sweeps).</summary>
    public async Task<IReadOnlyList<KmsKey>> ListAllAsync(CancellationToken cancellationToken)
    {
        var keys = new List<KmsKey>();
        string? after = null;
        while (true)
        {
            await using var transaction = await store.BeginAsync(write: false, cancellationToken);
            var page = await transaction.ListAsync(Table, string.Empty, after, 500, cancellationToken);
            keys.AddRange(page.Select(ToKey));
            if (page.Count < 500)
            {
                return keys;
            }

            after = page[^1].Key.Id;
        }
    }

    public async Task CreateAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var storageKey = StorageKeyFor(key.Account, key.Region, key.Id);
        var generation = _cache.Generation;
        await store.WriteAsync(async transaction =>
        {
            await PutAsync(transaction, storageKey, key, 0, cancellationToken);
            return true;
        }, cancellationToken);
        _cache.Store(storageKey.Id, key with { StoreVersion = 1 }, generation);
    }

    /// <summary>
    /// Reads the stored key, applies <paramref name="change"/> and writes the result in one transaction, retrying on
    /// a concurrent write. <paramref name="change"/> may throw a <see cref="KmsException"/> to refuse, or return its
    /// argument unchanged to write nothing. It may run more than once, so it must have no side effects.
    /// </summary>
    public async Task<KmsKey> UpdateAsync(KmsKey current, Func<KmsKey, KmsKey> change, CancellationToken cancellationToken)
    {
        var storageKey = StorageKeyFor(current.Account, current.Region, current.Id);
        var generation = _cache.Generation;
        var updated = await store.WriteAsync(async transaction =>
        {
            var stored = await ReadAsync(transaction, storageKey, cancellationToken)
                ?? KmsErrors.Throw<KmsKey>(KmsErrorCode.NotFoundException, $"Key `{current.Arn}` does not exist.");
            var next = change(stored);
            if (ReferenceEquals(next, stored))
            {
                return stored; // nothing changed: no write, no new version
            }

            await PutAsync(transaction, storageKey, next, stored.StoreVersion, cancellationToken);
            return next with { StoreVersion = stored.StoreVersion + 1 };
        }, cancellationToken);
        _cache.Store(storageKey.Id, updated, generation);
        return updated;
    }

    /// <summary>Deletes a key for good, inside the caller's transaction; call <see cref="Forget"/> after the commit.</summary>
    public static ValueTask DeleteAsync(RecordTransaction transaction, KmsKey key, CancellationToken cancellationToken) =>
        transaction.DeleteAsync(StorageKeyFor(key.Account, key.Region, key.Id), key.StoreVersion, cancellationToken);

    public void Forget(KmsKey key) => _cache.Invalidate(StorageKeyFor(key.Account, key.Region, key.Id).Id);

    internal static async ValueTask<KmsKey?> ReadAsync(RecordTransaction transaction, StorageKey storageKey, CancellationToken cancellationToken)
    {
        var record = await transaction.GetAsync(storageKey, cancellationToken);
        return record is null ? null : ToKey(record);
    }

    private static KmsKey ToKey(Record record)
    {
        try
        {
            return KeyRecordSerializer.Deserialize(record.Value, record.Version);
        }
        finally
        {
            KeyRecordSerializer.Clear(record.Value);
        }
    }

    private static async ValueTask PutAsync(RecordTransaction transaction, StorageKey storageKey, KmsKey key, long expectedVersion, CancellationToken cancellationToken)
    {
        var plaintext = KeyRecordSerializer.Serialize(key);
        try
        {
            await transaction.PutAsync(storageKey, expectedVersion, plaintext, cancellationToken);
        }
        finally
        {
            KeyRecordSerializer.Clear(plaintext);
        }
    }
}
