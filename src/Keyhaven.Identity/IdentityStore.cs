using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity;

/// <summary>
/// IAM users, their access keys, roles, inline policies and STS sessions, all stored through the
/// <see cref="RecordStore"/> (so every value, secrets included, is sealed by the barrier). Resolves access key ids to
/// their secret and principal for SigV4, and hands the authorizer each principal's policies.
/// Thread-safe; unsealed records are cached in memory (<see cref="RecordCache{T}"/>), invalidated after each committed write
/// and emptied when another node sharing the storage commits.
/// </summary>
/// <remarks>
/// Time comes in as arguments (<c>now</c>) and randomness from <see cref="RandomFill"/>, so tests pin both.
/// Methods raise <see cref="Errors.IdentityException"/> for expected refusals.
/// </remarks>
public sealed partial class IdentityStore
{
    internal const string UsersTable = "iam_users";
    internal const string RolesTable = "iam_roles";
    internal const string AccessKeysTable = "access_keys";
    internal const string SessionsTable = "sts_sessions";
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly RecordStore _store;
    private readonly RandomFill _random;
    private readonly RecordCache<ResolvedCredential> _credentials;
    private readonly RecordCache<UserDocument> _users;
    private readonly RecordCache<RoleDocument> _roles;
    // Stored documents were checked against their type's limits on input; compiling them must not refuse one (that denies all).
    private readonly CompiledPolicyCache _compiled = new(capacity: 10_000, limits: Keyhaven.Policy.Documents.PolicyLimits.Stored);

    /// <summary>Creates the store over <paramref name="store"/>; <paramref name="random"/> defaults to the system CSPRNG.</summary>
    public IdentityStore(RecordStore store, RandomFill? random = null)
    {
        _store = store;
        _random = random ?? RandomNumberGenerator.Fill;
        _credentials = new(store.Changes);
        _users = new(store.Changes);
        _roles = new(store.Changes);
        _groups = new(store.Changes);
        _policies = new(store.Changes);
    }

    /// <summary>Commits of other nodes sharing the storage (for caches built over this store's answers).</summary>
    public StorageChangeFeed Changes => _store.Changes;

    /// <summary>Raised after an access key or session stops being valid (deactivated or deleted), with its id, so caches can drop it.</summary>
    public event Action<string>? CredentialRevoked;

    /// <summary>
    /// Finds the secret and principal of an access key: the root key, an IAM user's key (Active only) or an STS session
    /// key (returned even when expired, so the caller can answer <c>ExpiredTokenException</c>). Null when unknown.
    /// </summary>
    public async ValueTask<ResolvedCredential?> FindCredentialAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (_credentials.TryGet(accessKeyId, out var cached))
        {
            return cached;
        }

        if (accessKeyId.Length is < 16 or > 128)
        {
            return null;
        }

        var generation = _credentials.Generation;
        ResolvedCredential? resolved;
        await using (var transaction = await _store.BeginAsync(write: false, cancellationToken))
        {
            if (accessKeyId.StartsWith("ASIA", StringComparison.Ordinal))
            {
                var session = await ReadAsync(transaction, new StorageKey(SessionsTable, accessKeyId), IdentityJsonContext.Default.SessionDocument, cancellationToken);
                resolved = session is null ? null : new ResolvedCredential(session.Value.Document.SecretAccessKey, ToPrincipal(session.Value.Document));
            }
            else
            {
                var key = await ReadAsync(transaction, new StorageKey(AccessKeysTable, accessKeyId), IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
                resolved = key is null ? null : await ResolveAccessKeyAsync(transaction, key.Value.Document, cancellationToken);
            }
        }

        if (resolved is not null)
        {
            _credentials.Populate(accessKeyId, resolved, generation);
        }

        return resolved;
    }

    /// <summary>
    /// GetAccessKeyInfo: the account an access key id (long-term, whatever its status, or temporary) belongs to, or
    /// null when this deployment never issued it or it is gone.
    /// </summary>
    public async Task<string?> FindAccessKeyAccountAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (accessKeyId.Length is < 16 or > 128)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{accessKeyId}` at `accessKeyId` failed to satisfy constraint: Member must have length between 16 and 128.");
        }

        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        if (accessKeyId.StartsWith("ASIA", StringComparison.Ordinal))
        {
            var session = await ReadAsync(transaction, new StorageKey(SessionsTable, accessKeyId), IdentityJsonContext.Default.SessionDocument, cancellationToken);
            return session?.Document.Account;
        }

        var key = await ReadAsync(transaction, new StorageKey(AccessKeysTable, accessKeyId), IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
        return key?.Document.Account;
    }

    private async ValueTask<ResolvedCredential?> ResolveAccessKeyAsync(RecordTransaction transaction, AccessKeyDocument key, CancellationToken cancellationToken)
    {
        var account = AccountId.Parse(key.Account);
        if (key.UserName is null)
        {
            // INVARIANT: only the deployment's bootstrap key is stored without a user name.
            return new ResolvedCredential(key.SecretAccessKey, new IdentityPrincipal
            {
                Kind = PrincipalKind.Root, Account = account, Arn = key.Arn, UserId = key.UserId, AccessKeyId = key.AccessKeyId,
            });
        }

        if (key.Status != nameof(Users.AccessKeyStatus.Active))
        {
            return null;
        }

        var user = await ReadUserAsync(transaction, key.Account, key.UserName, cancellationToken);
        if (user is null || !user.AccessKeyIds.Contains(key.AccessKeyId))
        {
            return null;
        }

        return new ResolvedCredential(key.SecretAccessKey, UserPrincipal(user, key.AccessKeyId));
    }

    private static IdentityPrincipal UserPrincipal(UserDocument user, string accessKeyId) => new()
    {
        Kind = PrincipalKind.User,
        Account = AccountId.Parse(user.Account),
        Arn = user.Arn,
        UserId = user.UserId,
        UserName = user.UserName,
        Tags = ToTagMap(user.Tags),
        AccessKeyId = accessKeyId,
    };

    private static IdentityPrincipal ToPrincipal(SessionDocument session) => new()
    {
        Kind = Enum.Parse<PrincipalKind>(session.Kind),
        Account = AccountId.Parse(session.Account),
        Arn = session.Arn,
        UserId = session.UserId,
        UserName = session.UserName,
        RoleArn = session.RoleArn,
        RoleName = session.RoleName,
        SessionName = session.SessionName,
        SessionPolicy = session.SessionPolicy,
        SessionPolicyArns = session.SessionPolicyArns,
        Tags = ToTagMap(session.Tags),
        SessionTags = ToTagMap(session.SessionTags),
        TransitiveTagKeys = session.TransitiveTagKeys,
        SourceIdentity = session.SourceIdentity,
        FederatedProvider = session.FederatedProvider,
        WebIdentitySubject = session.WebIdentitySubject,
        WebIdentityAudience = session.WebIdentityAudience,
        Ec2SourceInstanceArn = session.Ec2SourceInstanceArn,
        Ec2InstanceSourceVpc = session.Ec2InstanceSourceVpc,
        Ec2InstanceSourcePrivateIPv4 = session.Ec2InstanceSourcePrivateIPv4,
        SessionExpiration = session.Expiration,
        SessionCreated = session.CreatedAt == default ? null : session.CreatedAt,
        SessionTokenHash = Convert.FromBase64String(session.SessionTokenSha256),
        AccessKeyId = session.AccessKeyId,
    };

    private static Dictionary<string, string> ToTagMap(List<TagDocument> tags) =>
        tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.OrdinalIgnoreCase);

    private static List<TagDocument> ToTagDocuments(IReadOnlyList<KeyValuePair<string, string>> tags) =>
        tags.Select(t => new TagDocument { Key = t.Key, Value = t.Value }).ToList();

    private void Revoke(string accessKeyId)
    {
        _credentials.Invalidate(accessKeyId);
        CredentialRevoked?.Invoke(accessKeyId);
    }

    private static string EntityId(AccountId account, string name) => account.Value + "/" + name.ToLowerInvariant();

    /// <summary>A user from the cache, or read in <paramref name="transaction"/> (not cached: the caller's transaction may predate a write).</summary>
    private async ValueTask<UserDocument?> ReadUserAsync(RecordTransaction transaction, string account, string userName, CancellationToken cancellationToken)
    {
        var id = account + "/" + userName.ToLowerInvariant();
        if (_users.TryGet(id, out var cached))
        {
            return cached;
        }

        var read = await ReadAsync(transaction, new StorageKey(UsersTable, id), IdentityJsonContext.Default.UserDocument, cancellationToken);
        return read?.Document;
    }

    private async ValueTask<UserDocument?> FindUserAsync(string account, string userName, CancellationToken cancellationToken) =>
        await FindCachedAsync(_users, UsersTable, account + "/" + userName.ToLowerInvariant(), IdentityJsonContext.Default.UserDocument, cancellationToken);

    /// <summary>A record from <paramref name="cache"/>, or read from storage and cached unless a write intervened.</summary>
    private async ValueTask<T?> FindCachedAsync<T>(RecordCache<T> cache, string table, string id, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (cache.TryGet(id, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation;
        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        var read = await ReadAsync(transaction, new StorageKey(table, id), type, cancellationToken);
        if (read is { } found)
        {
            cache.Populate(id, found.Document, generation);
        }

        return read?.Document;
    }

    private static async ValueTask<(T Document, long Version)?> ReadAsync<T>(RecordTransaction transaction, StorageKey key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var record = await transaction.GetAsync(key, cancellationToken);
        if (record is null)
        {
            return null;
        }

        try
        {
            var document = JsonSerializer.Deserialize(record.Value, type) ?? throw new InvalidDataException($"Record `{key}` is empty.");
            return (document, record.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(record.Value);
        }
    }

    /// <summary>Stores a new entity under <paramref name="key"/>; a taken name is <c>EntityAlreadyExists</c> with <paramref name="alreadyExists"/>.</summary>
    private async Task InsertAsync<T>(StorageKey key, T document, JsonTypeInfo<T> type, string alreadyExists, CancellationToken cancellationToken)
        where T : class =>
        await _store.WriteAsync(async transaction =>
        {
            if (await transaction.GetAsync(key, cancellationToken) is not null)
            {
                throw new IdentityException(IdentityErrorCode.EntityAlreadyExists, alreadyExists);
            }

            await PutAsync(transaction, key, 0, document, type, cancellationToken);
            return true;
        }, cancellationToken);

    private static async ValueTask PutAsync<T>(RecordTransaction transaction, StorageKey key, long expectedVersion, T document, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(document, type);
        try
        {
            await transaction.PutAsync(key, expectedVersion, plaintext, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private Task<List<T>> ListAllAsync<T>(string table, AccountId account, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        ListAllAsync(table, account.Value + "/", type, cancellationToken);

    /// <summary>Every record of <paramref name="table"/> whose id starts with <paramref name="prefix"/> (empty: all accounts).</summary>
    private async Task<List<T>> ListAllAsync<T>(string table, string prefix, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var all = new List<T>();
        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        string? after = null;
        while (true)
        {
            var page = await transaction.ListAsync(table, prefix, after, 500, cancellationToken);
            foreach (var record in page)
            {
                try
                {
                    all.Add(JsonSerializer.Deserialize(record.Value, type)!);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(record.Value);
                }
            }

            if (page.Count < 500)
            {
                return all;
            }

            after = page[^1].Key.Id;
        }
    }

    /// <summary>A random id: <paramref name="prefix"/> and base32 characters up to <paramref name="length"/> in all.</summary>
    internal string NewId(string prefix, int length) => prefix + RandomString(IdAlphabet, length - prefix.Length);

    internal string NewSecret() => RandomString(SecretAlphabet, 40);

    private string RandomString(string alphabet, int length)
    {
        // INVARIANT: alphabet length divides 256 (32 or 64), so taking bytes modulo it is unbiased.
        System.Diagnostics.Debug.Assert(256 % alphabet.Length == 0);
        Span<byte> bytes = stackalloc byte[length];
        _random(bytes);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[bytes[i] % alphabet.Length];
        }

        CryptographicOperations.ZeroMemory(bytes);
        return new string(chars);
    }
}
