namespace Keyhaven.Identity.Organizations;

/// <summary>The organization as governance analysis sees it: its id, management account, every account and every policy (attached or not).</summary>
public sealed record OrganizationInventory(string OrganizationId, string ManagementAccount, IReadOnlyList<string> Accounts, IReadOnlyList<OrganizationPolicy> Policies);
