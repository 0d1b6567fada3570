using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Authorization;

/// <summary>Until IAM identities exist, callers (the account root) have no identity policies.</summary>
internal sealed class NoIdentityPolicies : IIdentityPolicySource
{
    public ValueTask<IdentityPolicies> GetAsync(CallerIdentity caller, CancellationToken cancellationToken) => ValueTask.FromResult(IdentityPolicies.None);
}
