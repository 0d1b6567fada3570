using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Ec2;

/// <summary>
/// What the audit trail records of each EC2 operation: the endpoint, the new policy (policies are not secrets;
/// CloudTrail records them too) and the result of a modification; the filters of a description.
/// </summary>
internal static class Ec2AuditProfile
{
    public static readonly AuditProfile Instance = new("ec2.amazonaws.com", AuditProtocol.Query, "InternalError",
    [
        Of("ModifyVpcEndpoint", "VpcEndpointId PolicyDocument ResetPolicy DryRun", "return"),
        Of("DescribeVpcEndpoints", "VpcEndpointId Filter MaxResults NextToken DryRun"),
    ]);
}
