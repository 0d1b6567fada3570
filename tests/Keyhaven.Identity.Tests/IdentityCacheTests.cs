using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>The identity caches never put back a value that a committed write replaced.</summary>
public sealed class IdentityCacheTests
{
    [Fact]
    public async Task Concurrent_group_changes_leave_the_store_agreeing_with_storage()
    {
        await using var h = await OpenAsync();
        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
        var user = await h.UserAsync("nia");
        await h.Identity.CreateGroupAsync(Account, "g", null, h.Now, None);
        await h.Identity.PutGroupPolicyAsync(Account, "g", "p", policy, None);
        for (var round = 0; round < 20; round++)
        {
            var add = h.Identity.AddUserToGroupAsync(Account, "g", "nia", None);
            var reads = Enumerable.Range(0, 4).Select(_ => h.Identity.GetPoliciesAsync(user, None)).ToList();
            await add;
            await Task.WhenAll(reads);
            Assert.Contains((await h.Identity.GetPoliciesAsync(user, None)).Policies, p => p.Name == "group/g/p");
            var remove = h.Identity.RemoveUserFromGroupAsync(Account, "g", "nia", None);
            reads = Enumerable.Range(0, 4).Select(_ => h.Identity.GetPoliciesAsync(user, None)).ToList();
            await remove;
            await Task.WhenAll(reads);
            Assert.Empty((await h.Identity.GetPoliciesAsync(user, None)).Policies);
        }
    }
}
