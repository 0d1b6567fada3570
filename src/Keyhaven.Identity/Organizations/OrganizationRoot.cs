namespace Keyhaven.Identity.Organizations;

/// <summary>The organization's root (<c>r-</c> + 4 characters) and the policy types enabled on it.</summary>
public sealed record OrganizationRoot(string Id, string Arn, string Name, IReadOnlyList<OrganizationPolicyType> PolicyTypes);
