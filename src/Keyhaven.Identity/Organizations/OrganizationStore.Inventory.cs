namespace Keyhaven.Identity.Organizations;

public sealed partial class OrganizationStore
{
    /// <summary>
    /// The organization's accounts and policies (not an Organizations API: the deployment's own view, for governance
    /// analysis); null when there is no organization.
    /// </summary>
    public async Task<OrganizationInventory?> ReadInventoryAsync(CancellationToken cancellationToken)
    {
        var document = await ReadAsync(cancellationToken);
        return document is null ? null
            : new OrganizationInventory(document.Id, document.ManagementAccount, document.Accounts.Select(a => a.Id).ToList(), AllPolicies(document).ToList());
    }
}
