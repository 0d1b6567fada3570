using Keyhaven.Identity.Roles;
using Keyhaven.Identity.Users;

namespace Keyhaven.Identity.Inventory;

/// <summary>Every IAM user and role of every account, and every stored identity-side policy: what governance analysis walks.</summary>
public sealed record IdentityInventory(IReadOnlyList<IamUser> Users, IReadOnlyList<IamRole> Roles, IReadOnlyList<StoredPolicy> Policies)
{
    /// <summary>The accounts that hold at least one user, role or policy.</summary>
    public IEnumerable<string> Accounts =>
        Users.Select(u => AccountOf(u.Arn)).Concat(Roles.Select(r => AccountOf(r.Arn))).Concat(Policies.Select(p => p.Account)).Distinct(StringComparer.Ordinal);

    private static string AccountOf(string arn) => arn.Split(':')[4];
}
