using System.Globalization;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Policies;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Validation;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    internal const string PoliciesTable = "iam_policies";

    /// <summary>IAM's quota for one managed policy document (characters without whitespace).</summary>
    public const int ManagedPolicyQuota = 6_144;

    /// <summary>IAM's quota of versions per managed policy.</summary>
    public const int PolicyVersionsQuota = 5;

    /// <summary>IAM's default quota of managed policies attached to one user, group or role.</summary>
    public const int AttachedPoliciesQuota = 10;

    private readonly RecordCache<ManagedPolicyDocument> _policies;

    /// <summary>Which kind of entity a managed policy is attached to.</summary>
    private enum Attachee { User, Role, Group }

    /// <summary>
    /// Creates a customer managed policy (<c>arn:aws:iam::ACCOUNT:policy/PATH/NAME</c>, id <c>ANPA…</c>) whose
    /// document, validated as an identity policy, becomes its default version <c>v1</c>.
    /// </summary>
    /// <exception cref="IdentityException"><c>EntityAlreadyExists</c>, <c>MalformedPolicyDocument</c>, <c>LimitExceeded</c>, <c>ValidationError</c>.</exception>
    public async Task<ManagedPolicy> CreatePolicyAsync(AccountId account, string policyName, string? path, string policyDocument, string? description,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(policyName, "policyName", 1, 128);
        path = IdentityValidation.Path(path);
        if (description is { Length: > 1000 })
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The policy description must be at most 1000 characters.");
        }

        ValidateManagedDocument(policyDocument);
        var document = new ManagedPolicyDocument
        {
            Account = account.Value, PolicyName = policyName, Path = path, PolicyId = NewId("ANPA", 21),
            Arn = $"arn:aws:iam::{account.Value}:policy{path}{policyName}", Description = description, CreateDate = now, UpdateDate = now,
            Versions = [new PolicyVersionDocument { VersionId = "v1", Document = policyDocument, CreateDate = now }],
        };
        var key = new StorageKey(PoliciesTable, EntityId(account, policyName));
        await InsertAsync(key, document, IdentityJsonContext.Default.ManagedPolicyDocument, $"A policy called `{policyName}` already exists. Duplicate names are not allowed.", cancellationToken);
        _policies.Invalidate(key.Id);
        return ToPolicy(document);
    }

    /// <summary>Returns a managed policy by ARN.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>InvalidInput</c> (not a policy ARN).</exception>
    public async Task<ManagedPolicy> GetPolicyAsync(AccountId account, string policyArn, CancellationToken cancellationToken) =>
        ToPolicy(await RequirePolicyAsync(account, policyArn, cancellationToken));

    /// <summary>Lists the account's managed policies whose path starts with <paramref name="pathPrefix"/>, ordered by name; optionally only attached ones.</summary>
    public async Task<IReadOnlyList<ManagedPolicy>> ListPoliciesAsync(AccountId account, string? pathPrefix, bool onlyAttached, CancellationToken cancellationToken)
    {
        var policies = await ListAllAsync(PoliciesTable, account, IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);
        return policies.Where(p => p.Path.StartsWith(pathPrefix ?? "/", StringComparison.Ordinal) && (!onlyAttached || AttachmentCount(p) > 0))
            .OrderBy(p => p.PolicyName, StringComparer.OrdinalIgnoreCase).Select(ToPolicy).ToList();
    }

    /// <summary>Deletes a managed policy and all its versions. It must be attached to nothing.</summary>
    /// <remarks>
    /// A user or role may still name the policy as its permissions boundary: that boundary then no longer resolves and
    /// the principal is denied everything (fail closed) until the boundary is changed or removed.
    /// </remarks>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>DeleteConflict</c>, <c>InvalidInput</c>.</exception>
    public async Task DeletePolicyAsync(AccountId account, string policyArn, CancellationToken cancellationToken)
    {
        var key = PolicyKey(account, policyArn);
        await _store.WriteAsync(async transaction =>
        {
            var (policy, version) = await RequirePolicyAsync(transaction, key, policyArn, cancellationToken);
            if (AttachmentCount(policy) > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete a policy attached to entities.");
            }

            await transaction.DeleteAsync(key, version, cancellationToken);
            return true;
        }, cancellationToken);
        _policies.Invalidate(key.Id);
    }

    /// <summary>Adds a version (<c>v2</c>, <c>v3</c>, … never reused) to a managed policy, optionally making it the default at once.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>MalformedPolicyDocument</c>, <c>LimitExceeded</c> (5 versions, or size), <c>InvalidInput</c>.</exception>
    public async Task<ManagedPolicyVersion> CreatePolicyVersionAsync(AccountId account, string policyArn, string policyDocument, bool setAsDefault,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ValidateManagedDocument(policyDocument);
        PolicyVersionDocument? created = null;
        await UpdatePolicyAsync(account, policyArn, policy =>
        {
            if (policy.Versions.Count >= PolicyVersionsQuota)
            {
                throw new IdentityException(IdentityErrorCode.LimitExceeded,
                    $"A managed policy can have up to {PolicyVersionsQuota} versions. Before you create a new version, you must delete an existing version.");
            }

            created = new PolicyVersionDocument
            {
                VersionId = "v" + policy.NextVersion.ToString(CultureInfo.InvariantCulture), Document = policyDocument, CreateDate = now,
            };
            policy.NextVersion++;
            policy.Versions.Add(created);
            if (setAsDefault)
            {
                policy.DefaultVersionId = created.VersionId;
            }

            policy.UpdateDate = now;
        }, cancellationToken);
        return new ManagedPolicyVersion(created!.VersionId, created.Document, setAsDefault, created.CreateDate);
    }

    /// <summary>Returns one version of a managed policy, document included.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>InvalidInput</c>.</exception>
    public async Task<ManagedPolicyVersion> GetPolicyVersionAsync(AccountId account, string policyArn, string versionId, CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(account, policyArn, cancellationToken);
        var version = policy.Versions.Find(v => v.VersionId == versionId) ?? throw NoSuchVersion(policyArn, versionId);
        return ToVersion(policy, version);
    }

    /// <summary>Lists a managed policy's versions, newest first (as IAM does).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>InvalidInput</c>.</exception>
    public async Task<IReadOnlyList<ManagedPolicyVersion>> ListPolicyVersionsAsync(AccountId account, string policyArn, CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(account, policyArn, cancellationToken);
        return policy.Versions.AsEnumerable().Reverse().Select(v => ToVersion(policy, v)).ToList();
    }

    /// <summary>Makes an existing version the default; it takes effect on the next request.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>InvalidInput</c>.</exception>
    public Task SetDefaultPolicyVersionAsync(AccountId account, string policyArn, string versionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdatePolicyAsync(account, policyArn, policy =>
        {
            _ = policy.Versions.Find(v => v.VersionId == versionId) ?? throw NoSuchVersion(policyArn, versionId);
            policy.DefaultVersionId = versionId;
            policy.UpdateDate = now;
        }, cancellationToken);

    /// <summary>Deletes a version that is not the default.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>DeleteConflict</c> (the default version), <c>InvalidInput</c>.</exception>
    public Task DeletePolicyVersionAsync(AccountId account, string policyArn, string versionId, CancellationToken cancellationToken) =>
        UpdatePolicyAsync(account, policyArn, policy =>
        {
            var version = policy.Versions.Find(v => v.VersionId == versionId) ?? throw NoSuchVersion(policyArn, versionId);
            if (version.VersionId == policy.DefaultVersionId)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete the default version of a policy.");
            }

            policy.Versions.Remove(version);
        }, cancellationToken);

    /// <summary>Attaches a managed policy to a user (at most 10 per user); attaching it again changes nothing.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (user or policy), <c>LimitExceeded</c>, <c>InvalidInput</c>.</exception>
    public Task AttachUserPolicyAsync(AccountId account, string userName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.User, userName, policyArn, attach: true, cancellationToken);

    /// <summary>Detaches a managed policy from a user.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (user, policy, or not attached), <c>InvalidInput</c>.</exception>
    public Task DetachUserPolicyAsync(AccountId account, string userName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.User, userName, policyArn, attach: false, cancellationToken);

    /// <summary>Managed policies attached to a user, in attachment order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<AttachedPolicy>> ListAttachedUserPoliciesAsync(AccountId account, string userName, CancellationToken cancellationToken) =>
        ToAttached((await RequireUserAsync(account, userName, cancellationToken)).AttachedPolicyArns);

    /// <summary>Attaches a managed policy to a role (at most 10 per role); attaching it again changes nothing.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (role or policy), <c>LimitExceeded</c>, <c>InvalidInput</c>.</exception>
    public Task AttachRolePolicyAsync(AccountId account, string roleName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.Role, roleName, policyArn, attach: true, cancellationToken);

    /// <summary>Detaches a managed policy from a role.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (role, policy, or not attached), <c>InvalidInput</c>.</exception>
    public Task DetachRolePolicyAsync(AccountId account, string roleName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.Role, roleName, policyArn, attach: false, cancellationToken);

    /// <summary>Managed policies attached to a role, in attachment order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(AccountId account, string roleName, CancellationToken cancellationToken) =>
        ToAttached((await RequireRoleAsync(account, roleName, cancellationToken)).AttachedPolicyArns);

    /// <summary>Sets a user's permissions boundary to an existing managed policy of the account.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (user or policy), <c>InvalidInput</c>.</exception>
    public async Task PutUserPermissionsBoundaryAsync(AccountId account, string userName, string policyArn, CancellationToken cancellationToken)
    {
        await RequireBoundaryPolicyAsync(account, policyArn, cancellationToken);
        await UpdateUserAsync(account, userName, user => user.PermissionsBoundaryArn = policyArn, cancellationToken);
    }

    /// <summary>Removes a user's permissions boundary (removing none is not an error).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public Task DeleteUserPermissionsBoundaryAsync(AccountId account, string userName, CancellationToken cancellationToken) =>
        UpdateUserAsync(account, userName, user => user.PermissionsBoundaryArn = null, cancellationToken);

    /// <summary>Sets a role's permissions boundary to an existing managed policy of the account; it applies to the role's existing sessions too.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (role or policy), <c>InvalidInput</c>.</exception>
    public async Task PutRolePermissionsBoundaryAsync(AccountId account, string roleName, string policyArn, CancellationToken cancellationToken)
    {
        await RequireBoundaryPolicyAsync(account, policyArn, cancellationToken);
        await UpdateRoleAsync(account, roleName, role => role.PermissionsBoundaryArn = policyArn, cancellationToken);
    }

    /// <summary>Removes a role's permissions boundary.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public Task DeleteRolePermissionsBoundaryAsync(AccountId account, string roleName, CancellationToken cancellationToken) =>
        UpdateRoleAsync(account, roleName, role => role.PermissionsBoundaryArn = null, cancellationToken);

    /// <summary>The default-version document of the managed policy <paramref name="policyArn"/>, or null when it does not resolve.</summary>
    private async ValueTask<NamedPolicy?> ResolveManagedAsync(string policyArn, CancellationToken cancellationToken)
    {
        if (!TryParsePolicyArn(policyArn, out var account, out _, out var name))
        {
            return null;
        }

        var policy = await FindPolicyAsync(account + "/" + name.ToLowerInvariant(), cancellationToken);
        if (policy is null || policy.Arn != policyArn)
        {
            return null; // deleted, or re-created under another path: the ARN no longer names it
        }

        var version = policy.Versions.Find(v => v.VersionId == policy.DefaultVersionId);
        // INVARIANT: the default version cannot be deleted.
        System.Diagnostics.Debug.Assert(version is not null);
        return version is null ? null : new NamedPolicy(policy.Arn, version.Document);
    }

    private async ValueTask<ManagedPolicyDocument?> FindPolicyAsync(string id, CancellationToken cancellationToken) =>
        await FindCachedAsync(_policies, PoliciesTable, id, IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);

    private async Task AttachAsync(AccountId account, Attachee kind, string entityName, string policyArn, bool attach, CancellationToken cancellationToken)
    {
        var policyKey = PolicyKey(account, policyArn);
        var (table, noSuchEntity) = kind switch
        {
            Attachee.User => (UsersTable, (Func<string?, IdentityException>)NoSuchUser),
            Attachee.Role => (RolesTable, NoSuchRole),
            _ => (GroupsTable, NoSuchGroup),
        };
        var entityKey = new StorageKey(table, EntityId(account, entityName ?? ""));
        var (policy, entity) = await _store.WriteAsync(async transaction =>
        {
            var (policy, policyVersion) = await RequirePolicyAsync(transaction, policyKey, policyArn, cancellationToken);
            object entity;
            long entityVersion;
            List<string> attached;
            string canonicalName;
            switch (kind)
            {
                case Attachee.User:
                    var (user, userVersion) = await RequireUserAsync(transaction, entityKey, entityName!, cancellationToken);
                    (entity, entityVersion, attached, canonicalName) = (user, userVersion, user.AttachedPolicyArns, user.UserName);
                    break;
                case Attachee.Role:
                    var (role, roleVersion) = await RequireRoleAsync(transaction, entityKey, entityName, cancellationToken);
                    (entity, entityVersion, attached, canonicalName) = (role, roleVersion, role.AttachedPolicyArns, role.RoleName);
                    break;
                default:
                    var (group, groupVersion) = await RequireGroupAsync(transaction, entityKey, entityName, cancellationToken);
                    (entity, entityVersion, attached, canonicalName) = (group, groupVersion, group.AttachedPolicyArns, group.GroupName);
                    break;
            }

            var attachees = kind switch { Attachee.User => policy.AttachedUsers, Attachee.Role => policy.AttachedRoles, _ => policy.AttachedGroups };
            if (attach)
            {
                if (attached.Contains(policy.Arn, StringComparer.Ordinal))
                {
                    return (policy, entity); // IAM: attaching an attached policy succeeds and changes nothing
                }

                if (attached.Count >= AttachedPoliciesQuota)
                {
                    throw new IdentityException(IdentityErrorCode.LimitExceeded,
                        $"Cannot exceed quota for PoliciesPer{kind}: {AttachedPoliciesQuota}.");
                }

                attached.Add(policy.Arn);
                attachees.Add(canonicalName);
            }
            else
            {
                if (!attached.Remove(policy.Arn))
                {
                    throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"Policy `{policyArn}` was not found or is not attached to `{entityName}`.");
                }

                attachees.RemoveAll(n => string.Equals(n, canonicalName, StringComparison.OrdinalIgnoreCase));
            }

            await PutAsync(transaction, policyKey, policyVersion, policy, IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);
            switch (entity)
            {
                case UserDocument u:
                    await PutAsync(transaction, entityKey, entityVersion, u, IdentityJsonContext.Default.UserDocument, cancellationToken);
                    break;
                case RoleDocument r:
                    await PutAsync(transaction, entityKey, entityVersion, r, IdentityJsonContext.Default.RoleDocument, cancellationToken);
                    break;
                case GroupDocument g:
                    await PutAsync(transaction, entityKey, entityVersion, g, IdentityJsonContext.Default.GroupDocument, cancellationToken);
                    break;
            }

            return (policy, entity);
        }, cancellationToken);
        _policies.Invalidate(policyKey.Id);
        switch (entity)
        {
            case UserDocument u:
                _users.Invalidate(entityKey.Id);
                break;
            case RoleDocument r:
                _roles.Invalidate(entityKey.Id);
                break;
            case GroupDocument g:
                _groups.Invalidate(entityKey.Id);
                break;
        }
    }

    private async Task UpdatePolicyAsync(AccountId account, string policyArn, Action<ManagedPolicyDocument> change, CancellationToken cancellationToken)
    {
        var key = PolicyKey(account, policyArn);
        var policy = await _store.WriteAsync(async transaction =>
        {
            var (policy, version) = await RequirePolicyAsync(transaction, key, policyArn, cancellationToken);
            change(policy);
            await PutAsync(transaction, key, version, policy, IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);
            return policy;
        }, cancellationToken);
        _policies.Invalidate(key.Id);
    }

    private async Task UpdateUserAsync(AccountId account, string userName, Action<UserDocument> change, CancellationToken cancellationToken)
    {
        var key = new StorageKey(UsersTable, EntityId(account, userName ?? ""));
        var user = await _store.WriteAsync(async transaction =>
        {
            var (user, version) = await RequireUserAsync(transaction, key, userName!, cancellationToken);
            change(user);
            await PutAsync(transaction, key, version, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return user;
        }, cancellationToken);
        _users.Invalidate(key.Id);
    }

    /// <summary>A boundary must be an existing managed policy of the caller's account (AWS managed policies are not served).</summary>
    private async Task RequireBoundaryPolicyAsync(AccountId account, string? policyArn, CancellationToken cancellationToken)
    {
        if (policyArn is not null)
        {
            _ = await RequirePolicyAsync(account, policyArn, cancellationToken);
        }
    }

    private async Task<ManagedPolicyDocument> RequirePolicyAsync(AccountId account, string policyArn, CancellationToken cancellationToken)
    {
        var key = PolicyKey(account, policyArn);
        var policy = await FindPolicyAsync(key.Id, cancellationToken);
        return policy is not null && policy.Arn == policyArn ? policy : throw NoSuchPolicy(policyArn);
    }

    private static async Task<(ManagedPolicyDocument, long)> RequirePolicyAsync(RecordTransaction transaction, StorageKey key, string policyArn, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(transaction, key, IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);
        return read is { } found && found.Document.Arn == policyArn ? found : throw NoSuchPolicy(policyArn);
    }

    /// <summary>The storage key of a policy ARN of <paramref name="account"/>; another account's policy does not exist here.</summary>
    private static StorageKey PolicyKey(AccountId account, string? policyArn)
    {
        if (!TryParsePolicyArn(policyArn, out var arnAccount, out _, out var name))
        {
            throw new IdentityException(IdentityErrorCode.InvalidInput, $"ARN `{policyArn}` is not valid: expected arn:aws:iam::ACCOUNT:policy/PATH/NAME.");
        }

        if (arnAccount != account.Value)
        {
            throw NoSuchPolicy(policyArn);
        }

        return new StorageKey(PoliciesTable, account.Value + "/" + name.ToLowerInvariant());
    }

    /// <summary>Parses <c>arn:aws:iam::ACCOUNT:policy/PATH/NAME</c>.</summary>
    internal static bool TryParsePolicyArn(string? arn, out string account, out string path, out string name)
    {
        (account, path, name) = ("", "", "");
        var parts = arn?.Split(':', 6);
        if (parts is not ["arn", "aws", "iam", "", var acct, var resource] || acct.Length != 12 || !acct.All(char.IsAsciiDigit)
            || !resource.StartsWith("policy/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = resource["policy".Length..];
        var slash = rest.LastIndexOf('/');
        (account, path, name) = (acct, rest[..(slash + 1)], rest[(slash + 1)..]);
        return name.Length is >= 1 and <= 128 && name.All(IdentityValidation.IsNameCharacter);
    }

    private static void ValidateManagedDocument(string policyDocument)
    {
        IdentityValidation.Policy(policyDocument, PolicyType.Identity, "policy document");
        if (IdentityValidation.NonWhitespaceLength(policyDocument) > ManagedPolicyQuota)
        {
            throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Cannot exceed quota for PolicySize: {ManagedPolicyQuota}.");
        }
    }

    private static List<AttachedPolicy> ToAttached(List<string> arns) =>
        arns.Select(arn => new AttachedPolicy(arn[(arn.LastIndexOf('/') + 1)..], arn)).ToList();

    private static int AttachmentCount(ManagedPolicyDocument p) => p.AttachedUsers.Count + p.AttachedRoles.Count + p.AttachedGroups.Count;

    private static ManagedPolicy ToPolicy(ManagedPolicyDocument d) =>
        new(d.PolicyName, d.PolicyId, d.Arn, d.Path, d.DefaultVersionId, AttachmentCount(d), d.Description, d.CreateDate, d.UpdateDate);

    private static ManagedPolicyVersion ToVersion(ManagedPolicyDocument policy, PolicyVersionDocument v) =>
        new(v.VersionId, v.Document, v.VersionId == policy.DefaultVersionId, v.CreateDate);

    private static IdentityException NoSuchPolicy(string? policyArn) =>
        new(IdentityErrorCode.NoSuchEntity, $"Policy `{policyArn}` does not exist or is not attachable.");

    private static IdentityException NoSuchVersion(string policyArn, string versionId) =>
        new(IdentityErrorCode.NoSuchEntity, $"Policy `{policyArn}` version `{versionId}` does not exist or is not attachable.");
}
