namespace Keyhaven.Policy.Evaluation;

/// <summary>The policy layer that decided (for an implicit deny: the layer that lacked an Allow).</summary>
public enum DecisionLayer
{
    None = 0,
    ServiceControlPolicy,
    ResourceControlPolicy,
    VpcEndpointPolicy,
    ResourcePolicy,
    IdentityPolicy,
    PermissionsBoundary,
    SessionPolicy,
    Grant,

    /// <summary>The account root user's implicit permissions (still subject to resource policies, SCPs and RCPs).</summary>
    AccountRoot,
}
