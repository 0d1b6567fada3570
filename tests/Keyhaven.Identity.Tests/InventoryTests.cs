using Keyhaven.Identity.Inventory;
using Keyhaven.Identity.Tests.Support;
using Keyhaven.Policy.Arns;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>The inventory governance analysis reads: every user, role and stored policy of every account.</summary>
public sealed class InventoryTests
{
    private const string Allow = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
    private const string AllowV2 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""";

    [Fact]
    public async Task The_inventory_holds_every_account_s_users_roles_and_policies_with_managed_policies_at_their_default_version()
    {
        await using var h = await OpenAsync();
        var other = AccountId.Parse("444455556666");
        await h.UserAsync("alice", Allow);
        await h.Identity.CreateUserAsync(other, "bob", null, null, null, h.Now, None);
        var role = await h.Identity.CreateRoleAsync(other, "app", null, TrustPolicy("arn:aws:iam::444455556666:root"), null, 3600, null, null, h.Now, None);
        await h.Identity.PutRolePolicyAsync(other, "app", "use", Allow, None);
        await h.Identity.CreateGroupAsync(Account, "devs", null, h.Now, None);
        await h.Identity.PutGroupPolicyAsync(Account, "devs", "group-inline", Allow, None);
        var managed = await h.Identity.CreatePolicyAsync(Account, "shared", null, Allow, null, h.Now, None);
        await h.Identity.CreatePolicyVersionAsync(Account, managed.Arn, AllowV2, setAsDefault: true, h.Now, None);

        var inventory = await h.Reopen().ReadInventoryAsync(None);

        Assert.Equal(["alice", "bob"], inventory.Users.Select(u => u.UserName).Order());
        Assert.Equal(role.Arn, Assert.Single(inventory.Roles).Arn);
        Assert.Equal(["111122223333", "444455556666"], inventory.Accounts.Order());
        var kinds = inventory.Policies.Select(p => (p.Kind, p.Name, p.Account)).OrderBy(p => p.Name).ToList();
        Assert.Equal(
        [
            (StoredPolicyKind.GroupInline, "group-inline", "111122223333"),
            (StoredPolicyKind.UserInline, "inline", "111122223333"),
            (StoredPolicyKind.Managed, "shared", "111122223333"),
            (StoredPolicyKind.Trust, "trust-policy", "444455556666"),
            (StoredPolicyKind.RoleInline, "use", "444455556666"),
        ], kinds);
        Assert.Equal(AllowV2, inventory.Policies.Single(p => p.Kind == StoredPolicyKind.Managed).Document);
        Assert.Equal(role.Arn, inventory.Policies.Single(p => p.Kind == StoredPolicyKind.Trust).Owner);
    }
}
