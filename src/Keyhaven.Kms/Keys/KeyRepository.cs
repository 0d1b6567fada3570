using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// Loads and saves keys through the barrier and keeps unsealed keys in memory, so that cryptographic calls do not
/// touch storage. Every write goes through <see cref="UpdateAsync(KmsKey, Func{KmsKey, KmsKey}, CancellationToken)"/> or <see cref="CreateAsync"/>, which refresh the
/// cache after the commit; another node's commit empties it (<see cref="RecordCache{T}"/>). Thread-safe.
/// </summary>
public sealed class KeyRepository(RecordStore store)
{
    internal const string Table = "keys";
    // A key that leaves the cache (changed, deleted, or dropped for another node's commit) takes its parsed key objects with it.
    private readonly RecordCache<KmsKey> _cache = new(store.Changes, EvictParsedKeys);

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
    /// For a multi-Region key, the same transaction copies the shared properties (material, rotation, where the
    /// related keys live) to every related key, so related keys never disagree.
    /// </summary>
    public async Task<KmsKey> UpdateAsync(KmsKey current, Func<KmsKey, KmsKey> change, CancellationToken cancellationToken) =>
        await UpdateAsync(current, change, addRelated: null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(KmsKey, Func{KmsKey, KmsKey}, CancellationToken)"/>, and in the same transaction creates
    /// the key <paramref name="addRelated"/> makes from the changed key (a new replica of a multi-Region key).
    /// </summary>
    /// <returns>The changed key; the created key when <paramref name="addRelated"/> is given.</returns>
    public Task<KmsKey> UpdateAsync(KmsKey current, Func<KmsKey, KmsKey> change, Func<KmsKey, KmsKey>? addRelated, CancellationToken cancellationToken) =>
        UpdateAsync(current, change, addRelated, checkRelated: null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(KmsKey, Func{KmsKey, KmsKey}, Func{KmsKey, KmsKey}?, CancellationToken)"/>, and shows
    /// <paramref name="checkRelated"/> each existing related key as this transaction reads it, before its shared
    /// properties are written. It may throw a <see cref="KmsException"/> to refuse the whole change (nothing is
    /// written); like <paramref name="change"/>, it may run more than once and must have no side effects.
    /// </summary>
    /// <remarks>
    /// A check made before the transaction (from the cache, or from a read of its own) can be stale by the time the
    /// transaction writes: another request, or another node, may have changed the related key in between. A check
    /// here sees the record this transaction writes over, and a concurrent write of it makes the transaction retry.
    /// </remarks>
    public async Task<KmsKey> UpdateAsync(KmsKey current, Func<KmsKey, KmsKey> change, Func<KmsKey, KmsKey>? addRelated, Action<KmsKey>? checkRelated,
        CancellationToken cancellationToken)
    {
        var storageKey = StorageKeyFor(current.Account, current.Region, current.Id);
        var generation = _cache.Generation;
        var written = new List<KmsKey>();
        var result = await store.WriteAsync(async transaction =>
        {
            written.Clear();
            var stored = await ReadAsync(transaction, storageKey, cancellationToken)
                ?? KmsErrors.Throw<KmsKey>(KmsErrorCode.NotFoundException, $"Key `{current.Arn}` does not exist.");
            var next = change(stored);
            if (ReferenceEquals(next, stored))
            {
                return stored; // nothing changed: no write, no new version
            }

            await PutAsync(transaction, storageKey, next, stored.StoreVersion, cancellationToken);
            var changed = next with { StoreVersion = stored.StoreVersion + 1 };
            written.Add(changed);
            if (next.MultiRegion is { } configuration)
            {
                foreach (var region in configuration.Regions.Where(r => r != next.Region))
                {
                    var relatedKey = StorageKeyFor(next.Account, region, next.Id);
                    if (await ReadAsync(transaction, relatedKey, cancellationToken) is not { } related)
                    {
                        continue; // the replica addRelated is about to make
                    }

                    checkRelated?.Invoke(related);
                    var synced = MultiRegion.SharedProperties.Copy(next, related);
                    if (!ReferenceEquals(synced, related))
                    {
                        await PutAsync(transaction, relatedKey, synced, related.StoreVersion, cancellationToken);
                        written.Add(synced with { StoreVersion = related.StoreVersion + 1 });
                    }
                }
            }

            if (addRelated?.Invoke(changed) is { } added)
            {
                await PutAsync(transaction, StorageKeyFor(added.Account, added.Region, added.Id), added, 0, cancellationToken);
                written.Add(added with { StoreVersion = 1 });
                return written[^1];
            }

            return changed;
        }, cancellationToken);
        foreach (var key in written)
        {
            _cache.Store(StorageKeyFor(key.Account, key.Region, key.Id).Id, key, generation);
        }

        return result;
    }

    /// <summary>
    /// Inside the transaction that deletes <paramref name="deleted"/> (a replica of a multi-Region key), removes it
    /// from its related keys; a primary waiting for its replicas' deletion (PendingReplicaDeletion) whose last replica
    /// this was starts its own waiting period now (AWS: the primary's PendingWindowInDays begins when the last replica
    /// is deleted). Call <see cref="Forget"/> for the returned keys after the commit.
    /// </summary>
    public static async ValueTask<IReadOnlyList<KmsKey>> DetachFromRelatedAsync(RecordTransaction transaction, KmsKey deleted, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (deleted.MultiRegion is not { } configuration)
        {
            return [];
        }

        // INVARIANT: a primary is deleted only once it has no replicas (it waits in PendingReplicaDeletion until then,
        // and DeleteAsync refuses it otherwise).
        System.Diagnostics.Debug.Assert(!deleted.IsMultiRegionPrimaryWithReplicas);
        var remaining = configuration.WithoutReplica(deleted.Region);
        var changed = new List<KmsKey>();
        foreach (var region in remaining.Regions)
        {
            var relatedKey = StorageKeyFor(deleted.Account, region, deleted.Id);
            if (await ReadAsync(transaction, relatedKey, cancellationToken) is not { } related)
            {
                continue;
            }

            var next = related with { MultiRegion = remaining };
            if (next.IsMultiRegionPrimary && next.State == KeyState.PendingReplicaDeletion && remaining.ReplicaRegions.IsEmpty)
            {
                next = next with { State = KeyState.PendingDeletion, DeletionDate = now.AddDays(next.PendingWindowInDays ?? KeyManager.MaxPendingWindowInDays) };
            }

            await PutAsync(transaction, relatedKey, next, related.StoreVersion, cancellationToken);
            changed.Add(next);
        }

        return changed;
    }

    /// <summary>Deletes a key for good, inside the caller's transaction; call <see cref="Forget"/> after the commit.</summary>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="key"/> is a multi-Region primary key that still has replicas; the caller's transaction must not commit.
    /// </exception>
    public static ValueTask DeleteAsync(RecordTransaction transaction, KmsKey key, CancellationToken cancellationToken)
    {
        // AWS: "KMS will not delete a multi-Region primary key that has replica keys." Deleting it would leave replicas
        // whose configuration names a primary that no longer exists, so this holds here whatever the caller checked.
        if (key.IsMultiRegionPrimaryWithReplicas)
        {
            throw new InvalidOperationException($"{key.Arn} is a multi-Region primary key with replica keys; it is not deleted.");
        }

        return transaction.DeleteAsync(StorageKeyFor(key.Account, key.Region, key.Id), key.StoreVersion, cancellationToken);
    }

    public void Forget(KmsKey key) => _cache.Invalidate(StorageKeyFor(key.Account, key.Region, key.Id).Id);

    private static void EvictParsedKeys(KmsKey key)
    {
        foreach (var version in key.Versions)
        {
            Asymmetric.ParsedKeyCache.Evict(version.Material);
        }
    }

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
