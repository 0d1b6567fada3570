namespace Keyhaven.Identity.Organizations;

/// <summary>An organization as DescribeOrganization returns it. FeatureSet is always <c>ALL</c>.</summary>
public sealed record OrganizationInfo(string Id, string Arn, string ManagementAccountId, string ManagementAccountArn, string ManagementAccountEmail);
