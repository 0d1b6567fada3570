using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Grants;

/// <summary>
/// Stores grants (sealed by the barrier like every record) in the table <c>grants</c> under
/// <c>{account}/{region}/{keyId}/{grantId}</c>, so a prefix lists one key's grants, and caches each key's grants in
/// memory for authorization. Every write goes through a transaction and then <see cref="Forget"/>. Thread-safe.
/// </summary>
public sealed class GrantRepository(RecordStore store)
{
    internal const string Table = "grants";
    internal const int Batch = 500;

    private readonly RecordCache<ImmutableArray<Grant>> _cache = new(store.Changes);

    internal static string KeyPrefix(AccountId account, string region, KeyId keyId) => $"{account}/{region}/{keyId}/";

    internal static string RegionPrefix(AccountId account, string region) => $"{account}/{region}/";

    internal static StorageKey StorageKeyFor(AccountId account, string region, KeyId keyId, GrantId grantId) =>
        new(Table, KeyPrefix(account, region, keyId) + grantId);

    /// <summary>Every grant of a key in grant-id order, from memory when seen before.</summary>
    public async ValueTask<ImmutableArray<Grant>> ListForKeyAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var prefix = KeyPrefix(key.Account, key.Region, key.Id);
        if (_cache.TryGet(prefix, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        ImmutableArray<Grant> grants;
        await using (var transaction = await store.BeginAsync(write: false, cancellationToken))
        {
            grants = await ListForKeyAsync(transaction, key.Account, key.Region, key.Id, cancellationToken);
        }

        // Not cached if a write committed while we read (it may have forgotten the key before we got here).
        _cache.Populate(prefix, grants, generation);

        return grants;
    }

    /// <summary>One page of the grants of an account and region, in storage-id order after <paramref name="afterId"/> (<c>{keyId}/{grantId}</c>).</summary>
    internal async Task<IReadOnlyList<Grant>> ListRegionAsync(AccountId account, string region, string? afterId, CancellationToken cancellationToken)
    {
        var prefix = RegionPrefix(account, region);
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var records = await transaction.ListAsync(Table, prefix, afterId is null ? null : prefix + afterId, Batch, cancellationToken);
        return [.. records.Select(ToGrant)];
    }

    internal static async Task<ImmutableArray<Grant>> ListForKeyAsync(RecordTransaction transaction, AccountId account, string region, KeyId keyId,
        CancellationToken cancellationToken)
    {
        var prefix = KeyPrefix(account, region, keyId);
        var grants = ImmutableArray.CreateBuilder<Grant>();
        string? after = null;
        while (true)
        {
            var records = await transaction.ListAsync(Table, prefix, after, Batch, cancellationToken);
            grants.AddRange(records.Select(ToGrant));
            if (records.Count < Batch)
            {
                return grants.ToImmutable();
            }

            after = records[^1].Key.Id;
        }
    }

    internal static async ValueTask<Grant?> ReadAsync(RecordTransaction transaction, AccountId account, string region, KeyId keyId, GrantId grantId,
        CancellationToken cancellationToken)
    {
        var record = await transaction.GetAsync(StorageKeyFor(account, region, keyId, grantId), cancellationToken);
        return record is null ? null : ToGrant(record);
    }

    internal static async ValueTask PutAsync(RecordTransaction transaction, Grant grant, CancellationToken cancellationToken)
    {
        var plaintext = Serialize(grant);
        try
        {
            await transaction.PutAsync(StorageKeyFor(grant.Account, grant.Region, grant.KeyId, grant.Id), grant.StoreVersion, plaintext, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    internal static ValueTask DeleteAsync(RecordTransaction transaction, Grant grant, CancellationToken cancellationToken) =>
        transaction.DeleteAsync(StorageKeyFor(grant.Account, grant.Region, grant.KeyId, grant.Id), grant.StoreVersion, cancellationToken);

    /// <summary>Deletes every grant of a key being deleted, inside the caller's transaction; call <see cref="Forget"/> after the commit.</summary>
    internal static async Task DeleteAllForKeyAsync(RecordTransaction transaction, KmsKey key, CancellationToken cancellationToken)
    {
        foreach (var grant in await ListForKeyAsync(transaction, key.Account, key.Region, key.Id, cancellationToken))
        {
            await DeleteAsync(transaction, grant, cancellationToken);
        }
    }

    /// <summary>Drops a key's cached grants after a committed write.</summary>
    internal void Forget(AccountId account, string region, KeyId keyId)
    {
        _cache.Invalidate(KeyPrefix(account, region, keyId));
    }

    private static Grant ToGrant(Record record)
    {
        try
        {
            return Deserialize(record.Value, record.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(record.Value);
        }
    }

    private static byte[] Serialize(Grant grant) => JsonSerializer.SerializeToUtf8Bytes(new GrantDocument
    {
        Format = GrantDocument.CurrentFormat,
        GrantId = grant.Id.Value,
        Account = grant.Account.Value,
        Region = grant.Region,
        KeyId = grant.KeyId.Value,
        Name = grant.Name,
        CreatedAt = grant.CreatedAt,
        GranteePrincipal = grant.GranteePrincipal,
        RetiringPrincipal = grant.RetiringPrincipal,
        Operations = [.. grant.OperationNames],
        EncryptionContextEquals = grant.Constraints?.EncryptionContextEquals?.ToDictionary(StringComparer.Ordinal),
        EncryptionContextSubset = grant.Constraints?.EncryptionContextSubset?.ToDictionary(StringComparer.Ordinal),
        TokenKey = grant.TokenKey,
    }, GrantJsonContext.Default.GrantDocument);

    private static Grant Deserialize(byte[] utf8, long version)
    {
        var d = JsonSerializer.Deserialize(utf8, GrantJsonContext.Default.GrantDocument) ?? throw new InvalidDataException("A grant record is empty.");
        if (d.Format != GrantDocument.CurrentFormat || !GrantId.TryParse(d.GrantId, out var grantId) || !AccountId.TryParse(d.Account, out var account)
            || !KeyId.TryParse(d.KeyId, out var keyId) || d.TokenKey is not { Length: 32 }
            || !d.Operations.All(o => Enum.TryParse<GrantOperation>(o, ignoreCase: false, out _)))
        {
            throw new InvalidDataException("A grant record is not of a known format.");
        }

        return new Grant
        {
            Id = grantId,
            Account = account,
            Region = d.Region,
            KeyId = keyId,
            Name = d.Name,
            CreatedAt = d.CreatedAt,
            GranteePrincipal = d.GranteePrincipal,
            RetiringPrincipal = d.RetiringPrincipal,
            Operations = [.. d.Operations.Select(Enum.Parse<GrantOperation>)],
            Constraints = d.EncryptionContextEquals is null && d.EncryptionContextSubset is null
                ? null
                : GrantConstraints.FromStored(d.EncryptionContextEquals, d.EncryptionContextSubset),
            TokenKey = d.TokenKey,
            StoreVersion = version,
        };
    }

    internal sealed class GrantDocument
    {
        public const int CurrentFormat = 1;
        public int Format { get; set; }
        public string GrantId { get; set; } = "";
        public string Account { get; set; } = "";
        public string Region { get; set; } = "";
        public string KeyId { get; set; } = "";
        public string? Name { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public string GranteePrincipal { get; set; } = "";
        public string? RetiringPrincipal { get; set; }
        public List<string> Operations { get; set; } = [];
        public Dictionary<string, string>? EncryptionContextEquals { get; set; }
        public Dictionary<string, string>? EncryptionContextSubset { get; set; }
        public byte[]? TokenKey { get; set; }
    }
}

[JsonSerializable(typeof(GrantRepository.GrantDocument))]
internal sealed partial class GrantJsonContext : JsonSerializerContext;
