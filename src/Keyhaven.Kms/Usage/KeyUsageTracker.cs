using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Usage;

/// <summary>
/// GetKeyLastUsage: remembers each key's last successful cryptographic operation in memory (no storage write on the
/// cryptographic path) and writes the changed ones to the <c>key-usage</c> table, sealed like every record, when
/// <see cref="FlushAsync"/> runs (every maintenance pass and at shutdown). As in AWS KMS the answer is eventually
/// consistent; after a crash the usage since the last flush is lost. Thread-safe.
/// </summary>
public sealed class KeyUsageTracker(RecordStore store, KeyResolver resolver, KmsEnvironment environment)
{
    internal const string Table = "key-usage";
    private readonly ConcurrentDictionary<string, KeyLastUsage> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KeyLastUsage> _unsaved = new(StringComparer.Ordinal);

    /// <summary>Records a successful cryptographic operation with <paramref name="key"/> now.</summary>
    public void Record(KmsCaller caller, KmsKey key, string operation)
    {
        var id = IdFor(key);
        var usage = new KeyLastUsage(operation, environment.Now, caller.RequestId);
        _recent[id] = usage;
        _unsaved[id] = usage;
    }

    /// <summary>The key (by id or ARN, not alias) and its last usage, or null when it was not used since it was created.</summary>
    public async Task<(KmsKey Key, KeyLastUsage? Usage)> GetAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        if (_recent.TryGetValue(IdFor(key), out var usage))
        {
            return (key, usage);
        }

        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var record = await transaction.GetAsync(new StorageKey(Table, IdFor(key)), cancellationToken);
        return (key, record is null ? null : JsonSerializer.Deserialize(record.Value, KeyUsageJsonContext.Default.KeyLastUsage));
    }

    /// <summary>Writes the usages recorded since the last flush; one transaction for all of them.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = _unsaved.ToArray();
        if (batch.Length == 0)
        {
            return;
        }

        await store.WriteAsync(async transaction =>
        {
            foreach (var (id, usage) in batch)
            {
                var storageKey = new StorageKey(Table, id);
                var existing = await transaction.GetAsync(storageKey, cancellationToken);
                await transaction.PutAsync(storageKey, existing?.Version ?? 0, JsonSerializer.SerializeToUtf8Bytes(usage, KeyUsageJsonContext.Default.KeyLastUsage), cancellationToken);
            }

            return true;
        }, cancellationToken);
        foreach (var (id, usage) in batch)
        {
            _unsaved.TryRemove(new KeyValuePair<string, KeyLastUsage>(id, usage)); // unless a newer usage came meanwhile
        }
    }

    /// <summary>Deletes a deleted key's usage record inside the deletion's transaction.</summary>
    internal static async ValueTask DeleteForKeyAsync(RecordTransaction transaction, KmsKey key, CancellationToken cancellationToken)
    {
        var storageKey = new StorageKey(Table, IdFor(key));
        if (await transaction.GetAsync(storageKey, cancellationToken) is { } existing)
        {
            await transaction.DeleteAsync(storageKey, existing.Version, cancellationToken);
        }
    }

    /// <summary>Forgets a deleted key.</summary>
    public void Forget(KmsKey key)
    {
        _recent.TryRemove(IdFor(key), out _);
        _unsaved.TryRemove(IdFor(key), out _);
    }

    private static string IdFor(KmsKey key) => KeyRepository.StorageKeyFor(key.Account, key.Region, key.Id).Id;
}

[JsonSerializable(typeof(KeyLastUsage))]
internal sealed partial class KeyUsageJsonContext : JsonSerializerContext;
