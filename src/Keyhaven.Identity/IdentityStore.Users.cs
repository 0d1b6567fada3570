using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Storage;
using Keyhaven.Identity.Users;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Validation;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>IAM's quota of access keys per user.</summary>
    public const int AccessKeysPerUser = 2;

    /// <summary>IAM's quota for the aggregate size (without whitespace) of a user's inline policies.</summary>
    public const int UserInlinePolicyQuota = 2048;

    /// <summary>Creates the account root's access key (the deployment's bootstrap credentials).</summary>
    public async Task<NewAccessKey> CreateRootAccessKeyAsync(AccountId account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = NewId("AKIA", 20);
        var secret = NewSecret();
        var document = new AccessKeyDocument
        {
            AccessKeyId = id, SecretAccessKey = secret, Account = account.Value, Arn = account.ToRootArn(), UserId = account.Value, CreatedAt = now,
        };
        await _store.WriteAsync(async transaction =>
        {
            await PutAsync(transaction, new StorageKey(AccessKeysTable, id), 0, document, IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
            return true;
        }, cancellationToken);
        return new NewAccessKey(new AccessKeyMetadata("", id, AccessKeyStatus.Active, now), secret);
    }

    /// <summary>Creates an IAM user.</summary>
    /// <exception cref="IdentityException"><c>EntityAlreadyExists</c>, <c>ValidationError</c>, <c>LimitExceeded</c> (tags), <c>NoSuchEntity</c>/<c>InvalidInput</c> (boundary).</exception>
    public async Task<IamUser> CreateUserAsync(AccountId account, string userName, string? path, IReadOnlyList<KeyValuePair<string, string>>? tags,
        string? permissionsBoundaryArn, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(userName, "userName", 1, 64);
        path = IdentityValidation.Path(path);
        var validTags = IdentityValidation.Tags(tags);
        await RequireBoundaryPolicyAsync(account, permissionsBoundaryArn, cancellationToken);
        var document = new UserDocument
        {
            Account = account.Value, UserName = userName, Path = path, UserId = NewId("AIDA", 21),
            Arn = $"arn:aws:iam::{account.Value}:user{path}{userName}", CreateDate = now, Tags = ToTagDocuments(validTags),
            PermissionsBoundaryArn = permissionsBoundaryArn,
        };
        var key = new StorageKey(UsersTable, EntityId(account, userName));
        await InsertAsync(key, document, IdentityJsonContext.Default.UserDocument, $"User with name `{userName}` already exists.", cancellationToken);
        _users.Invalidate(key.Id);
        return ToUser(document);
    }

    /// <summary>Returns a user.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IamUser> GetUserAsync(AccountId account, string userName, CancellationToken cancellationToken) =>
        ToUser(await RequireUserAsync(account, userName, cancellationToken));

    /// <summary>Lists the account's users whose path starts with <paramref name="pathPrefix"/>, ordered by name.</summary>
    public async Task<IReadOnlyList<IamUser>> ListUsersAsync(AccountId account, string? pathPrefix, CancellationToken cancellationToken)
    {
        var users = await ListAllAsync(UsersTable, account, IdentityJsonContext.Default.UserDocument, cancellationToken);
        return users.Where(u => u.Path.StartsWith(pathPrefix ?? "/", StringComparison.Ordinal))
            .OrderBy(u => u.UserName, StringComparer.OrdinalIgnoreCase).Select(ToUser).ToList();
    }

    /// <summary>Deletes a user that has no access keys, inline or attached policies, or group memberships left.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>DeleteConflict</c>.</exception>
    public async Task DeleteUserAsync(AccountId account, string userName, CancellationToken cancellationToken)
    {
        var key = new StorageKey(UsersTable, EntityId(account, userName));
        await _store.WriteAsync(async transaction =>
        {
            var (user, version) = await RequireUserAsync(transaction, key, userName, cancellationToken);
            if (user.AccessKeyIds.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must delete access keys first.");
            }

            if (user.Policies.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must delete policies first.");
            }

            if (user.AttachedPolicyArns.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must detach all policies first.");
            }

            if (user.GroupNames.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must remove user from all groups first.");
            }

            await transaction.DeleteAsync(key, version, cancellationToken);
            return true;
        }, cancellationToken);
        _users.Invalidate(key.Id);
    }

    /// <summary>Creates an access key (Active) for a user: <c>AKIA</c> + 16 base32 characters and a 40-character secret.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>LimitExceeded</c> (two keys per user).</exception>
    public async Task<NewAccessKey> CreateAccessKeyAsync(AccountId account, string userName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = NewId("AKIA", 20);
        var secret = NewSecret();
        var userKey = new StorageKey(UsersTable, EntityId(account, userName));
        var user = await _store.WriteAsync(async transaction =>
        {
            var (user, version) = await RequireUserAsync(transaction, userKey, userName, cancellationToken);
            if (user.AccessKeyIds.Count >= AccessKeysPerUser)
            {
                throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: {AccessKeysPerUser}.");
            }

            user.AccessKeyIds.Add(id);
            await PutAsync(transaction, new StorageKey(AccessKeysTable, id), 0, new AccessKeyDocument
            {
                AccessKeyId = id, SecretAccessKey = secret, Account = account.Value, Arn = user.Arn, UserId = user.UserId, CreatedAt = now,
                UserName = user.UserName, Status = nameof(AccessKeyStatus.Active),
            }, IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
            await PutAsync(transaction, userKey, version, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return user;
        }, cancellationToken);
        _users.Invalidate(userKey.Id);
        return new NewAccessKey(new AccessKeyMetadata(user.UserName, id, AccessKeyStatus.Active, now), secret);
    }

    /// <summary>Lists a user's access keys (without secrets).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<AccessKeyMetadata>> ListAccessKeysAsync(AccountId account, string userName, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(account, userName, cancellationToken);
        var keys = new List<AccessKeyMetadata>();
        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        foreach (var id in user.AccessKeyIds)
        {
            if (await ReadAsync(transaction, new StorageKey(AccessKeysTable, id), IdentityJsonContext.Default.AccessKeyDocument, cancellationToken) is { } key)
            {
                keys.Add(new AccessKeyMetadata(user.UserName, id, Enum.Parse<AccessKeyStatus>(key.Document.Status!), key.Document.CreatedAt));
            }
        }

        return keys;
    }

    /// <summary>Activates or deactivates a user's access key; an inactive key stops signing at once.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task UpdateAccessKeyAsync(AccountId account, string userName, string accessKeyId, AccessKeyStatus status, CancellationToken cancellationToken)
    {
        await _store.WriteAsync(async transaction =>
        {
            var (key, version) = await RequireUserKeyAsync(transaction, account, userName, accessKeyId, cancellationToken);
            key.Status = status.ToString();
            await PutAsync(transaction, new StorageKey(AccessKeysTable, accessKeyId), version, key, IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
            return true;
        }, cancellationToken);
        Revoke(accessKeyId); // drops the cached credential either way; the next request reads the new status
    }

    /// <summary>Deletes a user's access key.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task DeleteAccessKeyAsync(AccountId account, string userName, string accessKeyId, CancellationToken cancellationToken)
    {
        var userKey = new StorageKey(UsersTable, EntityId(account, userName));
        var user = await _store.WriteAsync(async transaction =>
        {
            var (_, keyVersion) = await RequireUserKeyAsync(transaction, account, userName, accessKeyId, cancellationToken);
            var (user, version) = await RequireUserAsync(transaction, userKey, userName, cancellationToken);
            user.AccessKeyIds.Remove(accessKeyId);
            await transaction.DeleteAsync(new StorageKey(AccessKeysTable, accessKeyId), keyVersion, cancellationToken);
            await PutAsync(transaction, userKey, version, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return user;
        }, cancellationToken);
        _users.Invalidate(userKey.Id);
        Revoke(accessKeyId);
    }

    /// <summary>Adds or replaces a user's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>MalformedPolicyDocument</c>, <c>LimitExceeded</c> (2,048 characters in all), <c>ValidationError</c>.</exception>
    public async Task PutUserPolicyAsync(AccountId account, string userName, string policyName, string policyDocument, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(policyName, "policyName", 1, 128);
        IdentityValidation.Policy(policyDocument, PolicyType.Identity, "policy document");
        var userKey = new StorageKey(UsersTable, EntityId(account, userName));
        var user = await _store.WriteAsync(async transaction =>
        {
            var (user, version) = await RequireUserAsync(transaction, userKey, userName, cancellationToken);
            user.Policies[policyName] = policyDocument;
            var size = user.Policies.Values.Sum(IdentityValidation.NonWhitespaceLength);
            if (size > UserInlinePolicyQuota)
            {
                throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Maximum policy size of {UserInlinePolicyQuota} bytes exceeded for user `{user.UserName}`.");
            }

            await PutAsync(transaction, userKey, version, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return user;
        }, cancellationToken);
        _users.Invalidate(userKey.Id);
    }

    /// <summary>Returns a user's inline policy document as it was put.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<string> GetUserPolicyAsync(AccountId account, string userName, string policyName, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(account, userName, cancellationToken);
        return user.Policies.TryGetValue(policyName, out var document)
            ? document
            : throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The user policy with name `{policyName}` cannot be found.");
    }

    /// <summary>Deletes a user's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task DeleteUserPolicyAsync(AccountId account, string userName, string policyName, CancellationToken cancellationToken)
    {
        var userKey = new StorageKey(UsersTable, EntityId(account, userName));
        var user = await _store.WriteAsync(async transaction =>
        {
            var (user, version) = await RequireUserAsync(transaction, userKey, userName, cancellationToken);
            if (!user.Policies.Remove(policyName))
            {
                throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The user policy with name `{policyName}` cannot be found.");
            }

            await PutAsync(transaction, userKey, version, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return user;
        }, cancellationToken);
        _users.Invalidate(userKey.Id);
    }

    /// <summary>Names of a user's inline policies, in order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<string>> ListUserPoliciesAsync(AccountId account, string userName, CancellationToken cancellationToken) =>
        (await RequireUserAsync(account, userName, cancellationToken)).Policies.Keys.ToList();

    private static IamUser ToUser(UserDocument d) =>
        new(d.UserName, d.Path, d.UserId, d.Arn, d.CreateDate, d.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).ToList(), d.PermissionsBoundaryArn);

    private async Task<UserDocument> RequireUserAsync(AccountId account, string userName, CancellationToken cancellationToken)
    {
        return await FindUserAsync(account.Value, userName ?? "", cancellationToken) ?? throw NoSuchUser(userName);
    }

    private static async Task<(UserDocument, long)> RequireUserAsync(RecordTransaction transaction, StorageKey key, string userName, CancellationToken cancellationToken) =>
        await ReadAsync(transaction, key, IdentityJsonContext.Default.UserDocument, cancellationToken) ?? throw NoSuchUser(userName);

    private static async Task<(AccessKeyDocument, long)> RequireUserKeyAsync(RecordTransaction transaction, AccountId account, string userName, string accessKeyId, CancellationToken cancellationToken)
    {
        var key = await ReadAsync(transaction, new StorageKey(AccessKeysTable, accessKeyId ?? ""), IdentityJsonContext.Default.AccessKeyDocument, cancellationToken);
        if (key is not { } found || found.Document.Account != account.Value || found.Document.UserName is null
            || !string.Equals(found.Document.UserName, userName, StringComparison.OrdinalIgnoreCase))
        {
            throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The Access Key with id `{accessKeyId}` cannot be found.");
        }

        return found;
    }

    private static IdentityException NoSuchUser(string? userName) =>
        new(IdentityErrorCode.NoSuchEntity, $"The user with name `{userName}` cannot be found.");
}
