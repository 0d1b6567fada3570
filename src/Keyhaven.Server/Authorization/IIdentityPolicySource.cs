using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Authorization;

/// <summary>The identity-side policies of a caller: its identity policies, permissions boundary and session policy, as JSON.</summary>
internal interface IIdentityPolicySource
{
    ValueTask<IdentityPolicies> GetAsync(CallerIdentity caller, CancellationToken cancellationToken);
}
