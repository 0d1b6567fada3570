using Keyhaven.Identity;
using Keyhaven.Server.Authorization;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// Gives the authorizer each caller's identity-side policies from the <see cref="IdentityStore"/>: inline and attached
/// managed policies of the user and its groups (or of the role, for a role session), the permissions boundary's
/// default-version document and the session policy. Fails closed: when the user or role behind a credential is gone,
/// or its boundary ARN does not resolve to a managed policy (deleted since it was set), the caller gets a single
/// explicit deny-all policy.
/// </summary>
internal sealed class IdentityStorePolicySource(IdentityStore identity) : IIdentityPolicySource
{
    internal const string DenyAllName = "keyhaven:principal-unavailable";
    internal const string DenyAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""";

    public async ValueTask<IdentityPolicies> GetAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        var policies = await identity.GetPoliciesAsync(caller.Principal, cancellationToken);
        if (!policies.PrincipalExists || (policies.PermissionsBoundaryArn is not null && policies.PermissionsBoundary is null))
        {
            return new IdentityPolicies([KeyValuePair.Create(DenyAllName, DenyAll)], null, null);
        }

        return new IdentityPolicies(
            policies.Policies.Select(p => KeyValuePair.Create(p.Name, p.Document)).ToList(),
            policies.PermissionsBoundary?.Document,
            policies.SessionPolicy?.Document);
    }
}
