using System.Collections.Immutable;
using Keyhaven.Identity;
using Keyhaven.Identity.Inventory;
using Keyhaven.Identity.Organizations;
using Keyhaven.Identity.Principals;
using Keyhaven.Kms;
using Keyhaven.Kms.Grants;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Network;
using PolicyAccountId = Keyhaven.Policy.Arns.AccountId;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Everything one analysis run looks at, read once: every key with its grants, every user, role and stored identity
/// policy, the organization, and the principals to evaluate (account roots, users, roles, federated group mappings).
/// </summary>
internal sealed class GovernanceInventory
{
    /// <summary>The session name analysed role sessions carry.</summary>
    public const string SessionName = "keyhaven-analysis";

    private GovernanceInventory(IReadOnlyList<KmsKey> keys, IReadOnlyDictionary<string, ImmutableArray<Grant>> grants, IdentityInventory identity,
        OrganizationInventory? organization, IReadOnlyList<AnalyzedPrincipal> principals)
    {
        Keys = keys;
        Grants = grants;
        Identity = identity;
        Organization = organization;
        Principals = principals;
    }

    public IReadOnlyList<KmsKey> Keys { get; }

    /// <summary>Grants by key ARN.</summary>
    public IReadOnlyDictionary<string, ImmutableArray<Grant>> Grants { get; }

    public IdentityInventory Identity { get; }

    public OrganizationInventory? Organization { get; }

    public IReadOnlyList<AnalyzedPrincipal> Principals { get; }

    /// <summary>
    /// The zone of trust of <paramref name="account"/>: every account of its organization, or the account alone when it
    /// is in none.
    /// </summary>
    public IReadOnlySet<string> ZoneOfTrust(string account) =>
        Organization is { } organization && organization.Accounts.Contains(account)
            ? organization.Accounts.ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { account };

    /// <summary>The organization id of <paramref name="account"/>, or null when it is in none.</summary>
    public string? OrganizationOf(string account) => Organization is { } organization && organization.Accounts.Contains(account) ? organization.OrganizationId : null;

    public static async Task<GovernanceInventory> ReadAsync(KmsDomain kms, IdentityStore identity, NetworkConfiguration network, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var keys = (await kms.Keys.ListAllAsync(cancellationToken)).OrderBy(k => k.Account.Value, StringComparer.Ordinal).ThenBy(k => k.Arn, StringComparer.Ordinal).ToList();
        var grants = new Dictionary<string, ImmutableArray<Grant>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            grants[key.Arn] = await kms.Grants.ListForKeyAsync(key, cancellationToken);
        }

        var inventory = await identity.ReadInventoryAsync(cancellationToken);
        var organization = await identity.Organizations.ReadInventoryAsync(cancellationToken);
        var accounts = inventory.Accounts.Concat(keys.Select(k => k.Account.Value)).Concat(organization?.Accounts ?? [])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

        var principals = new List<AnalyzedPrincipal>();
        foreach (var account in accounts)
        {
            principals.Add(Root(account));
            principals.AddRange(inventory.Users.Where(u => AccountOf(u.Arn) == account).Select(u => new AnalyzedPrincipal(u.Arn, "IAMUser", account, null)
            {
                Caller = new CallerIdentity(new IdentityPrincipal
                {
                    Kind = PrincipalKind.User, Account = PolicyAccountId.Parse(account), Arn = u.Arn, UserId = u.UserId, UserName = u.UserName,
                    Tags = u.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal), AccessKeyId = "",
                }),
            }));
            foreach (var role in inventory.Roles.Where(r => AccountOf(r.Arn) == account))
            {
                principals.Add(new AnalyzedPrincipal(role.Arn, "Role", account, null) { Caller = RoleSession(role, SessionName, null, now) });
                foreach (var mapping in network.GroupRoles.Where(m => m.RoleArn == role.Arn))
                {
                    principals.Add(new AnalyzedPrincipal(role.Arn, "FederatedGroup", account, $"group `{mapping.Group}` of `{mapping.Provider}`")
                    {
                        Caller = RoleSession(role, SessionName, mapping.Provider, now),
                    });
                }
            }
        }

        return new GovernanceInventory(keys, grants, inventory, organization, principals);
    }

    private static AnalyzedPrincipal Root(string account) => new($"arn:aws:iam::{account}:root", "Root", account, null)
    {
        Caller = new CallerIdentity(new IdentityPrincipal
        {
            Kind = PrincipalKind.Root, Account = PolicyAccountId.Parse(account), Arn = $"arn:aws:iam::{account}:root", UserId = account, AccessKeyId = "",
        }),
    };

    /// <summary>A session of <paramref name="role"/> as AssumeRole (or AssumeRoleWithWebIdentity, with a provider) would issue it, without session policy or tags.</summary>
    private static CallerIdentity RoleSession(Identity.Roles.IamRole role, string sessionName, string? federatedProvider, DateTimeOffset now)
    {
        var account = AccountOf(role.Arn);
        return new CallerIdentity(new IdentityPrincipal
        {
            Kind = PrincipalKind.AssumedRole,
            Account = PolicyAccountId.Parse(account),
            Arn = $"arn:aws:sts::{account}:assumed-role/{role.RoleName}/{sessionName}",
            UserId = $"{role.RoleId}:{sessionName}",
            RoleArn = role.Arn,
            RoleName = role.RoleName,
            SessionName = sessionName,
            Tags = role.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
            SessionExpiration = now.AddHours(1),
            FederatedProvider = federatedProvider,
            AccessKeyId = "",
        });
    }

    internal static string AccountOf(string arn) => arn.Split(':') is { Length: > 4 } parts ? parts[4] : "";
}
