using Keyhaven.Identity.Errors;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>Groups: membership, inline and attached policies, and how they become the members' identity policies.</summary>
public sealed class GroupTests
{
    private const string Encrypt = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
    private const string Decrypt = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""";

    [Fact]
    public async Task A_group_gets_an_AGPA_id_and_lists_its_members()
    {
        await using var h = await OpenAsync();
        var group = await h.Identity.CreateGroupAsync(Account, "devs", "/eng/", h.Now, None);
        Assert.Equal("arn:aws:iam::111122223333:group/eng/devs", group.Arn);
        Assert.Matches("^AGPA[A-Z2-7]{17}$", group.GroupId);
        await h.Identity.CreateUserAsync(Account, "zoe", null, null, null, h.Now, None);
        await h.Identity.CreateUserAsync(Account, "amy", null, null, null, h.Now, None);
        await h.Identity.AddUserToGroupAsync(Account, "devs", "zoe", None);
        await h.Identity.AddUserToGroupAsync(Account, "DEVS", "amy", None);
        await h.Identity.AddUserToGroupAsync(Account, "devs", "amy", None); // again: no change
        var (got, users) = await h.Reopen().GetGroupAsync(Account, "devs", None);
        Assert.Equal(group.GroupId, got.GroupId);
        Assert.Equal(["amy", "zoe"], users.Select(u => u.UserName));
        Assert.Equal("devs", Assert.Single(await h.Identity.ListGroupsForUserAsync(Account, "amy", None)).GroupName);
        Assert.Equal(group.Arn, Assert.Single(await h.Identity.ListGroupsAsync(Account, "/eng/", None)).Arn);
        Assert.Equal(IdentityErrorCode.EntityAlreadyExists,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreateGroupAsync(Account, "Devs", null, h.Now, None))).Code);
        Assert.Equal(IdentityErrorCode.NoSuchEntity,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AddUserToGroupAsync(Account, "devs", "nobody", None))).Code);
    }

    [Fact]
    public async Task A_group_with_members_or_policies_cannot_be_deleted_nor_can_a_member()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateGroupAsync(Account, "g", null, h.Now, None);
        await h.Identity.CreateUserAsync(Account, "u", null, null, null, h.Now, None);
        await h.Identity.AddUserToGroupAsync(Account, "g", "u", None);
        await h.Identity.PutGroupPolicyAsync(Account, "g", "inline", Encrypt, None);
        Assert.Equal(("g", Encrypt), await h.Identity.GetGroupPolicyAsync(Account, "G", "inline", None));
        Assert.Equal(["inline"], await h.Identity.ListGroupPoliciesAsync(Account, "g", None));

        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteGroupAsync(Account, "g", None))).Code);
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteUserAsync(Account, "u", None))).Code);
        await h.Identity.RemoveUserFromGroupAsync(Account, "g", "u", None);
        Assert.Equal(IdentityErrorCode.NoSuchEntity,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.RemoveUserFromGroupAsync(Account, "g", "u", None))).Code);
        await h.Identity.DeleteUserAsync(Account, "u", None);
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteGroupAsync(Account, "g", None))).Code);
        await h.Identity.DeleteGroupPolicyAsync(Account, "g", "inline", None);
        var arn = (await h.Identity.CreatePolicyAsync(Account, "p", null, Decrypt, null, h.Now, None)).Arn;
        await h.Identity.AttachGroupPolicyAsync(Account, "g", arn, None);
        Assert.Equal(arn, Assert.Single(await h.Identity.ListAttachedGroupPoliciesAsync(Account, "g", None)).PolicyArn);
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteGroupAsync(Account, "g", None))).Code);
        await h.Identity.DetachGroupPolicyAsync(Account, "g", arn, None);
        await h.Identity.DeleteGroupAsync(Account, "g", None);
        Assert.Empty(await h.Identity.ListGroupsAsync(Account, null, None));
    }

    [Fact]
    public async Task A_members_identity_policies_include_its_groups_inline_and_attached_policies_while_it_is_a_member()
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("max", Encrypt);
        var arn = (await h.Identity.CreatePolicyAsync(Account, "dec", null, Decrypt, null, h.Now, None)).Arn;
        await h.Identity.CreateGroupAsync(Account, "ops", null, h.Now, None);
        await h.Identity.PutGroupPolicyAsync(Account, "ops", "g-inline", Encrypt, None);
        await h.Identity.AttachGroupPolicyAsync(Account, "ops", arn, None);
        await h.Identity.AttachUserPolicyAsync(Account, "max", arn, None); // also via the group: counted once
        Assert.Equal(["inline", arn], (await h.Identity.GetPoliciesAsync(user, None)).Policies.Select(p => p.Name));

        await h.Identity.AddUserToGroupAsync(Account, "ops", "max", None);
        Assert.Equal(["inline", "group/ops/g-inline", arn], (await h.Reopen().GetPoliciesAsync(user, None)).Policies.Select(p => p.Name));

        await h.Identity.DetachUserPolicyAsync(Account, "max", arn, None);
        await h.Identity.RemoveUserFromGroupAsync(Account, "ops", "max", None);
        Assert.Equal(["inline"], (await h.Identity.GetPoliciesAsync(user, None)).Policies.Select(p => p.Name));
    }
}
