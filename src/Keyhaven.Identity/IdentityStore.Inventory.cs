using Keyhaven.Identity.Inventory;
using Keyhaven.Identity.Storage;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>
    /// Reads every user, role, group and managed policy of every account (not an IAM API: the deployment's own view,
    /// for governance analysis), bypassing the caches. Each table is read in one transaction of its own.
    /// </summary>
    public async Task<IdentityInventory> ReadInventoryAsync(CancellationToken cancellationToken)
    {
        var users = await ListAllAsync(UsersTable, "", IdentityJsonContext.Default.UserDocument, cancellationToken);
        var roles = await ListAllAsync(RolesTable, "", IdentityJsonContext.Default.RoleDocument, cancellationToken);
        var groups = await ListAllAsync(GroupsTable, "", IdentityJsonContext.Default.GroupDocument, cancellationToken);
        var managed = await ListAllAsync(PoliciesTable, "", IdentityJsonContext.Default.ManagedPolicyDocument, cancellationToken);

        var policies = new List<StoredPolicy>();
        policies.AddRange(users.SelectMany(u => u.Policies.Select(p => new StoredPolicy(u.Account, u.Arn, p.Key, StoredPolicyKind.UserInline, p.Value))));
        policies.AddRange(groups.SelectMany(g => g.Policies.Select(p => new StoredPolicy(g.Account, g.Arn, p.Key, StoredPolicyKind.GroupInline, p.Value))));
        policies.AddRange(roles.SelectMany(r => r.Policies.Select(p => new StoredPolicy(r.Account, r.Arn, p.Key, StoredPolicyKind.RoleInline, p.Value))));
        policies.AddRange(roles.Select(r => new StoredPolicy(r.Account, r.Arn, "trust-policy", StoredPolicyKind.Trust, r.AssumeRolePolicyDocument)));
        foreach (var policy in managed)
        {
            if (policy.Versions.Find(v => v.VersionId == policy.DefaultVersionId) is { } version)
            {
                policies.Add(new StoredPolicy(policy.Account, policy.Arn, policy.PolicyName, StoredPolicyKind.Managed, version.Document));
            }
        }

        return new IdentityInventory(users.Select(ToUser).ToList(), roles.Select(ToRole).ToList(), policies);
    }
}
