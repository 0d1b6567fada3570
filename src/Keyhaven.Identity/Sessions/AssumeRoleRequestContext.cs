using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Identity.Sessions;

/// <summary>
/// What the server adds to the evaluation of an AssumeRole that the identity store cannot know: the request's own
/// condition keys (its network path and transport: <c>aws:SourceIp</c>, <c>aws:SourceVpce</c>, <c>aws:SourceVpc</c>,
/// <c>aws:VpcSourceIp</c>, <c>aws:SecureTransport</c>, and the caller's <c>ec2:SourceInstanceARN</c> and
/// <c>aws:ec2InstanceSource*</c>), the policy of the VPC endpoint the request came through, which must allow too, and
/// the organization's guardrails: the SCPs of the caller's account and the RCPs of the role's account (AWS: RCPs apply
/// to STS), neither for the management account.
/// </summary>
public sealed record AssumeRoleRequestContext
{
    /// <summary>A request with no network path of its own (in-process callers and tests): no keys, no endpoint.</summary>
    public static AssumeRoleRequestContext None { get; } = new();

    /// <summary>The request's condition keys; the trust evaluation's own keys (session name, tags, …) are looked up first.</summary>
    public IRequestContext Keys { get; init; } = RequestContext.Empty;

    /// <summary>The policies of the VPC endpoints the request went through (each must allow); empty on the public listener.</summary>
    public IReadOnlyList<CompiledPolicy> EndpointPolicies { get; init; } = [];

    /// <summary>SCPs of the caller's account, root first; null when it is in no organization.</summary>
    public IReadOnlyList<OrganizationLevel>? ServiceControlPolicies { get; init; }

    /// <summary>RCPs of the role's account, root first; null when it is in no organization.</summary>
    public IReadOnlyList<OrganizationLevel>? ResourceControlPolicies { get; init; }

    /// <summary>The organization's management account, which neither SCPs nor RCPs limit.</summary>
    public AccountId ManagementAccount { get; init; }
}
