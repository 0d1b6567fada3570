using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Aliases;

/// <summary>Stores aliases (sealed like every record) and caches lookups by name (<see cref="RecordCache{T}"/>). Thread-safe.</summary>
public sealed class AliasRepository(RecordStore store)
{
    internal const string Table = "aliases";
    private readonly RecordCache<Alias> _cache = new(store.Changes);

    internal static StorageKey StorageKeyFor(AccountId account, string region, string name) => new(Table, $"{account}/{region}/{name}");

    public async ValueTask<Alias?> FindAsync(AccountId account, string region, string name, CancellationToken cancellationToken)
    {
        var storageKey = StorageKeyFor(account, region, name);
        if (_cache.TryGet(storageKey.Id, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var alias = await ReadAsync(transaction, storageKey, cancellationToken);
        if (alias is not null)
        {
            _cache.Populate(storageKey.Id, alias, generation);
        }

        return alias;
    }

    public async Task<IReadOnlyList<Alias>> ListAsync(AccountId account, string region, string? afterName, int limit, CancellationToken cancellationToken)
    {
        var prefix = $"{account}/{region}/";
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var records = await transaction.ListAsync(Table, prefix, afterName is null ? null : prefix + afterName, limit, cancellationToken);
        return records.Select(r => Deserialize(r.Value, r.Version)).ToList();
    }

    internal static async ValueTask<Alias?> ReadAsync(RecordTransaction transaction, StorageKey storageKey, CancellationToken cancellationToken)
    {
        var record = await transaction.GetAsync(storageKey, cancellationToken);
        return record is null ? null : Deserialize(record.Value, record.Version);
    }

    internal static ValueTask PutAsync(RecordTransaction transaction, Alias alias, long expectedVersion, CancellationToken cancellationToken) =>
        transaction.PutAsync(StorageKeyFor(alias.Account, alias.Region, alias.Name), expectedVersion, Serialize(alias), cancellationToken);

    internal static ValueTask DeleteAsync(RecordTransaction transaction, Alias alias, CancellationToken cancellationToken) =>
        transaction.DeleteAsync(StorageKeyFor(alias.Account, alias.Region, alias.Name), alias.StoreVersion, cancellationToken);

    /// <summary>Drops the cached alias after a committed write of it; the next lookup reads the stored one.</summary>
    internal void Forget(AccountId account, string region, string name) => _cache.Invalidate(StorageKeyFor(account, region, name).Id);

    private static byte[] Serialize(Alias alias) => JsonSerializer.SerializeToUtf8Bytes(new AliasDocument
    {
        Name = alias.Name, Account = alias.Account.Value, Region = alias.Region, TargetKeyId = alias.TargetKeyId.Value,
        CreatedAt = alias.CreatedAt, LastUpdatedAt = alias.LastUpdatedAt,
    }, AliasJsonContext.Default.AliasDocument);

    private static Alias Deserialize(byte[] utf8, long version)
    {
        var d = JsonSerializer.Deserialize(utf8, AliasJsonContext.Default.AliasDocument) ?? throw new InvalidDataException("An alias record is empty.");
        if (!KeyId.TryParse(d.TargetKeyId, out var target) || !AccountId.TryParse(d.Account, out var account))
        {
            throw new InvalidDataException("An alias record is not of a known format.");
        }

        return new Alias(d.Name, account, d.Region, target, d.CreatedAt, d.LastUpdatedAt) { StoreVersion = version };
    }

    internal sealed class AliasDocument
    {
        public string Name { get; set; } = "";
        public string Account { get; set; } = "";
        public string Region { get; set; } = "";
        public string TargetKeyId { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset LastUpdatedAt { get; set; }
    }
}

[JsonSerializable(typeof(AliasRepository.AliasDocument))]
internal sealed partial class AliasJsonContext : JsonSerializerContext;
