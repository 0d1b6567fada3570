namespace Keyhaven.Identity.Organizations;

/// <summary>An SCP or RCP with its JSON content. <see cref="AwsManaged"/> policies (FullAWSAccess, RCPFullAWSAccess) cannot be changed.</summary>
public sealed record OrganizationPolicy(string Id, string Arn, string Name, string Description, OrganizationPolicyType Type, bool AwsManaged, string Content);
