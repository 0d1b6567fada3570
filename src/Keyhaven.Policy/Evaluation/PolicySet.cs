using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;

namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// All policies that apply to one request, by layer. Every layer is optional: an absent layer imposes nothing,
/// except that a null <see cref="ServiceControlPolicies"/>/<see cref="ResourceControlPolicies"/> means "no organization".
/// </summary>
/// <remarks>Immutable once built; reuse it across requests to the same principal and resource.</remarks>
public sealed class PolicySet
{
    /// <summary>Identity-based policies of the principal (inline and managed, user/group/role).</summary>
    public IReadOnlyList<CompiledPolicy> IdentityPolicies { get; init; } = [];

    /// <summary>The resource-based policy (for KMS keys, the key policy).</summary>
    public CompiledPolicy? ResourcePolicy { get; init; }

    /// <summary>
    /// True when <see cref="ResourcePolicy"/> must allow even within one account, as for IAM role trust policies (KMS
    /// key policies follow the same rule through <see cref="RequestResource.IsKmsKey"/>): identity policies alone never suffice.
    /// </summary>
    public bool ResourcePolicyMustAllow { get; init; }

    /// <summary>Permissions boundaries of the principal; each must allow the identity-based path.</summary>
    public IReadOnlyList<CompiledPolicy> PermissionsBoundaries { get; init; } = [];

    /// <summary>The session policy passed when the session was created, if any.</summary>
    public CompiledPolicy? SessionPolicy { get; init; }

    /// <summary>SCPs of the principal's account, root first; null when the account is not in an organization.</summary>
    public IReadOnlyList<OrganizationLevel>? ServiceControlPolicies { get; init; }

    /// <summary>RCPs of the resource's account, root first; null when the account is not in an organization.</summary>
    public IReadOnlyList<OrganizationLevel>? ResourceControlPolicies { get; init; }

    /// <summary>The organization's management account: SCPs and RCPs do not apply to it.</summary>
    public AccountId ManagementAccount { get; init; }

    /// <summary>Policies of the VPC endpoints the request went through; each must allow.</summary>
    public IReadOnlyList<CompiledPolicy> EndpointPolicies { get; init; } = [];

    /// <summary>KMS grants on the resource (an extra allow path when the resource is a KMS key).</summary>
    public IReadOnlyList<KmsGrant> Grants { get; init; } = [];

    /// <summary>True when a condition in any policy of any layer names <paramref name="key"/> (see <see cref="CompiledPolicy.UsesConditionKey"/>).</summary>
    public bool UsesConditionKey(string key) =>
        ResourcePolicy?.UsesConditionKey(key) == true
        || SessionPolicy?.UsesConditionKey(key) == true
        || IdentityPolicies.Any(p => p.UsesConditionKey(key))
        || PermissionsBoundaries.Any(p => p.UsesConditionKey(key))
        || EndpointPolicies.Any(p => p.UsesConditionKey(key))
        || (ServiceControlPolicies?.Any(l => l.Policies.Any(p => p.UsesConditionKey(key))) ?? false)
        || (ResourceControlPolicies?.Any(l => l.Policies.Any(p => p.UsesConditionKey(key))) ?? false);
}
