using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;
using Keyhaven.SigV4;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// Access keys, sealed in storage like every record and cached in memory after first use; the SigV4 verifier asks it
/// for the secret of the key that signed a request. Thread-safe.
/// </summary>
public sealed class AccessKeyStore(RecordStore store) : ISigningCredentialSource<CallerIdentity>
{
    private const string Table = "access_keys";
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private readonly ConcurrentDictionary<string, SigningCredential<CallerIdentity>> _cache = new(StringComparer.Ordinal);

    public async ValueTask<SigningCredential<CallerIdentity>?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(accessKeyId, out var cached))
        {
            return cached;
        }

        if (accessKeyId.Length is < 16 or > 128)
        {
            return null;
        }

        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var record = await transaction.GetAsync(new StorageKey(Table, accessKeyId), cancellationToken);
        if (record is null)
        {
            return null;
        }

        var key = Deserialize(record.Value);
        CryptographicOperations.ZeroMemory(record.Value);
        var credential = new SigningCredential<CallerIdentity>(key.SecretAccessKey, key.Identity);
        _cache[accessKeyId] = credential;
        return credential;
    }

    /// <summary>Creates a new access key for <paramref name="identity"/>: <c>AKIA</c> and 16 base32 characters, and a 40-character secret.</summary>
    public async Task<AccessKey> CreateAsync(CallerIdentity identity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = "AKIA" + RandomString(Base32, 16);
        var secret = RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
        var key = new AccessKey(id, secret, identity, now);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new AccessKeyDocument
        {
            AccessKeyId = id, SecretAccessKey = secret, Account = identity.Account.Value, Arn = identity.Arn, UserId = identity.UserId, CreatedAt = now,
        }, AccessKeyJsonContext.Default.AccessKeyDocument);
        try
        {
            await store.WriteAsync(async transaction =>
            {
                await transaction.PutAsync(new StorageKey(Table, id), 0, plaintext, cancellationToken);
                return true;
            }, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        return key;
    }

    private static AccessKey Deserialize(byte[] utf8)
    {
        var d = JsonSerializer.Deserialize(utf8, AccessKeyJsonContext.Default.AccessKeyDocument) ?? throw new InvalidDataException("An access key record is empty.");
        return new AccessKey(d.AccessKeyId, d.SecretAccessKey, new CallerIdentity(AccountId.Parse(d.Account), d.Arn, d.UserId), d.CreatedAt);
    }

    private static string RandomString(string alphabet, int length) =>
        string.Create(length, alphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });

    internal sealed class AccessKeyDocument
    {
        public string AccessKeyId { get; set; } = "";
        public string SecretAccessKey { get; set; } = "";
        public string Account { get; set; } = "";
        public string Arn { get; set; } = "";
        public string UserId { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }
}

[JsonSerializable(typeof(AccessKeyStore.AccessKeyDocument))]
internal sealed partial class AccessKeyJsonContext : JsonSerializerContext;
