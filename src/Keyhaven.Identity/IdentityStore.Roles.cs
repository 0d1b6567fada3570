using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Roles;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Validation;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>IAM's quota for the aggregate size (without whitespace) of a role's inline policies.</summary>
    public const int RoleInlinePolicyQuota = 10_240;

    /// <summary>Shortest and longest allowed MaxSessionDuration of a role, in seconds.</summary>
    public const int MinRoleSessionDuration = 3600, MaxRoleSessionDuration = 43_200;

    /// <summary>
    /// Creates a role with a trust policy (validated as a trust policy by the policy engine's parser and validator); the
    /// trust policy's user and role ARNs are bound to their unique ids (<see cref="BindPolicyPrincipalsAsync"/>).
    /// </summary>
    /// <exception cref="IdentityException"><c>EntityAlreadyExists</c>, <c>MalformedPolicyDocument</c> (also: a principal that does not exist), <c>LimitExceeded</c>, <c>ValidationError</c>, <c>NoSuchEntity</c>/<c>InvalidInput</c> (boundary).</exception>
    public async Task<IamRole> CreateRoleAsync(AccountId account, string roleName, string? path, string assumeRolePolicyDocument, string? description,
        int? maxSessionDuration, string? permissionsBoundaryArn, IReadOnlyList<KeyValuePair<string, string>>? tags, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(roleName, "roleName", 1, 64);
        path = IdentityValidation.Path(path);
        var validTags = IdentityValidation.Tags(tags);
        var duration = maxSessionDuration ?? MinRoleSessionDuration;
        if (duration is < MinRoleSessionDuration or > MaxRoleSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{duration}` at `maxSessionDuration` failed to satisfy constraint: Member must be between {MinRoleSessionDuration} and {MaxRoleSessionDuration}.");
        }

        if (description is { Length: > 1000 })
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The role description must be at most 1000 characters.");
        }

        IdentityValidation.Policy(assumeRolePolicyDocument, PolicyType.Trust, "assume role policy document");
        var principalIds = await BindPolicyPrincipalsAsync(account, assumeRolePolicyDocument, cancellationToken);
        await RequireBoundaryPolicyAsync(account, permissionsBoundaryArn, cancellationToken);
        var document = new RoleDocument
        {
            Account = account.Value, RoleName = roleName, Path = path, RoleId = NewId("AROA", 21),
            Arn = $"arn:aws:iam::{account.Value}:role{path}{roleName}", CreateDate = now, AssumeRolePolicyDocument = assumeRolePolicyDocument,
            TrustPolicyPrincipalIds = ToPrincipalIds(principalIds),
            Description = description, MaxSessionDuration = duration, PermissionsBoundaryArn = permissionsBoundaryArn, Tags = ToTagDocuments(validTags),
        };
        var key = new StorageKey(RolesTable, EntityId(account, roleName));
        await InsertAsync(key, document, IdentityJsonContext.Default.RoleDocument, $"Role with name `{roleName}` already exists.", cancellationToken);
        _roles.Invalidate(key.Id);
        return ToRole(document);
    }

    /// <summary>Returns a role; its trust policy shows the unique id of a bound principal that no longer exists (<see cref="ShowPolicyAsync"/>).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IamRole> GetRoleAsync(AccountId account, string roleName, CancellationToken cancellationToken)
    {
        var document = await RequireRoleAsync(account, roleName, cancellationToken);
        var role = ToRole(document);
        var shown = await ShowPolicyAsync(document.AssumeRolePolicyDocument, TrustPolicyBindings(document), cancellationToken);
        return ReferenceEquals(shown, document.AssumeRolePolicyDocument) ? role : role with { AssumeRolePolicyDocument = shown };
    }

    /// <summary>Lists the account's roles whose path starts with <paramref name="pathPrefix"/>, ordered by name.</summary>
    public async Task<IReadOnlyList<IamRole>> ListRolesAsync(AccountId account, string? pathPrefix, CancellationToken cancellationToken)
    {
        var roles = await ListAllAsync(RolesTable, account, IdentityJsonContext.Default.RoleDocument, cancellationToken);
        return roles.Where(r => r.Path.StartsWith(pathPrefix ?? "/", StringComparison.Ordinal))
            .OrderBy(r => r.RoleName, StringComparer.OrdinalIgnoreCase).Select(ToRole).ToList();
    }

    /// <summary>Deletes a role that has no inline or attached policies left. Its existing sessions lose all permissions (see <see cref="GetPoliciesAsync"/>).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>DeleteConflict</c>.</exception>
    public async Task DeleteRoleAsync(AccountId account, string roleName, CancellationToken cancellationToken)
    {
        var key = new StorageKey(RolesTable, EntityId(account, roleName));
        await _store.WriteAsync(async transaction =>
        {
            var (role, version) = await RequireRoleAsync(transaction, key, roleName, cancellationToken);
            if (role.Policies.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must delete policies first.");
            }

            if (role.AttachedPolicyArns.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must detach all policies first.");
            }

            await transaction.DeleteAsync(key, version, cancellationToken);
            return true;
        }, cancellationToken);
        _roles.Invalidate(key.Id);
    }

    /// <summary>Replaces a role's trust policy, binding its user and role ARNs to their unique ids (<see cref="BindPolicyPrincipalsAsync"/>).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>MalformedPolicyDocument</c> (also: a principal that does not exist), <c>LimitExceeded</c>.</exception>
    public async Task UpdateAssumeRolePolicyAsync(AccountId account, string roleName, string policyDocument, CancellationToken cancellationToken)
    {
        IdentityValidation.Policy(policyDocument, PolicyType.Trust, "assume role policy document");
        var principalIds = await BindPolicyPrincipalsAsync(account, policyDocument, cancellationToken);
        await UpdateRoleAsync(account, roleName, role =>
        {
            role.AssumeRolePolicyDocument = policyDocument;
            role.TrustPolicyPrincipalIds = ToPrincipalIds(principalIds);
        }, cancellationToken);
    }

    /// <summary>The bindings recorded with a role's trust policy (none for roles saved before bindings were recorded: they match by ARN).</summary>
    private static PrincipalBindings TrustPolicyBindings(RoleDocument role) => PrincipalBindings.Create(role.TrustPolicyPrincipalIds);

    private static SortedDictionary<string, string>? ToPrincipalIds(PrincipalBindings bindings) =>
        bindings.Count == 0 ? null : new SortedDictionary<string, string>(bindings.Entries.ToDictionary(), StringComparer.Ordinal);

    /// <summary>Adds or replaces a role's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>MalformedPolicyDocument</c>, <c>LimitExceeded</c> (10,240 characters in all), <c>ValidationError</c>.</exception>
    public Task PutRolePolicyAsync(AccountId account, string roleName, string policyName, string policyDocument, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(policyName, "policyName", 1, 128);
        IdentityValidation.Policy(policyDocument, PolicyType.Identity, "policy document");
        return UpdateRoleAsync(account, roleName, role =>
        {
            role.Policies[policyName] = policyDocument;
            if (role.Policies.Values.Sum(IdentityValidation.NonWhitespaceLength) > RoleInlinePolicyQuota)
            {
                throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Maximum policy size of {RoleInlinePolicyQuota} bytes exceeded for role `{role.RoleName}`.");
            }
        }, cancellationToken);
    }

    /// <summary>Returns a role's inline policy document as it was put.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<string> GetRolePolicyAsync(AccountId account, string roleName, string policyName, CancellationToken cancellationToken)
    {
        var role = await RequireRoleAsync(account, roleName, cancellationToken);
        return role.Policies.TryGetValue(policyName, out var document)
            ? document
            : throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The role policy with name `{policyName}` cannot be found.");
    }

    /// <summary>Deletes a role's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public Task DeleteRolePolicyAsync(AccountId account, string roleName, string policyName, CancellationToken cancellationToken) =>
        UpdateRoleAsync(account, roleName, role =>
        {
            if (!role.Policies.Remove(policyName))
            {
                throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The role policy with name `{policyName}` cannot be found.");
            }
        }, cancellationToken);

    /// <summary>Names of a role's inline policies, in order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<string>> ListRolePoliciesAsync(AccountId account, string roleName, CancellationToken cancellationToken) =>
        (await RequireRoleAsync(account, roleName, cancellationToken)).Policies.Keys.ToList();

    private async Task UpdateRoleAsync(AccountId account, string roleName, Action<RoleDocument> change, CancellationToken cancellationToken)
    {
        var key = new StorageKey(RolesTable, EntityId(account, roleName ?? ""));
        var role = await _store.WriteAsync(async transaction =>
        {
            var (role, version) = await RequireRoleAsync(transaction, key, roleName, cancellationToken);
            change(role);
            await PutAsync(transaction, key, version, role, IdentityJsonContext.Default.RoleDocument, cancellationToken);
            return role;
        }, cancellationToken);
        _roles.Invalidate(key.Id);
    }

    private static IamRole ToRole(RoleDocument d) =>
        new(d.RoleName, d.Path, d.RoleId, d.Arn, d.CreateDate, d.AssumeRolePolicyDocument, d.Description, d.MaxSessionDuration,
            d.PermissionsBoundaryArn, d.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).ToList());

    private async Task<RoleDocument> RequireRoleAsync(AccountId account, string roleName, CancellationToken cancellationToken) =>
        await FindRoleAsync(account.Value, roleName ?? "", cancellationToken) ?? throw NoSuchRole(roleName);

    private async ValueTask<RoleDocument?> FindRoleAsync(string account, string roleName, CancellationToken cancellationToken) =>
        await FindCachedAsync(_roles, RolesTable, account + "/" + roleName.ToLowerInvariant(), IdentityJsonContext.Default.RoleDocument, cancellationToken);

    private static async Task<(RoleDocument, long)> RequireRoleAsync(RecordTransaction transaction, StorageKey key, string? roleName, CancellationToken cancellationToken) =>
        await ReadAsync(transaction, key, IdentityJsonContext.Default.RoleDocument, cancellationToken) ?? throw NoSuchRole(roleName);

    private static IdentityException NoSuchRole(string? roleName) =>
        new(IdentityErrorCode.NoSuchEntity, $"The role with name `{roleName}` cannot be found.");
}
