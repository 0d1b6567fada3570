namespace Keyhaven.Server.Network;

/// <summary>ARNs of VPC endpoints, as EC2 names them: <c>arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/vpce-…</c>.</summary>
internal static class VpcEndpointArn
{
    /// <summary>The CloudTrail (CloudFormation) resource type of a VPC endpoint.</summary>
    public const string ResourceType = "AWS::EC2::VPCEndpoint";

    public static string Create(string region, string account, string endpointId) => $"arn:aws:ec2:{region}:{account}:vpc-endpoint/{endpointId}";
}
