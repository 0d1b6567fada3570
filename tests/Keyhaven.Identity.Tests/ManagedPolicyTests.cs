using Keyhaven.Identity.Errors;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>Customer managed policies: versions, attachment, permissions boundaries, and what GetPoliciesAsync hands the authorizer.</summary>
public sealed class ManagedPolicyTests
{
    private const string Encrypt = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
    private const string Decrypt = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""";

    [Fact]
    public async Task A_policy_gets_an_ANPA_id_an_ARN_with_its_path_and_default_version_v1()
    {
        await using var h = await OpenAsync();
        var policy = await h.Identity.CreatePolicyAsync(Account, "kms-encrypt", "/team/", Encrypt, "encrypt only", h.Now, None);
        Assert.Equal("arn:aws:iam::111122223333:policy/team/kms-encrypt", policy.Arn);
        Assert.Matches("^ANPA[A-Z2-7]{17}$", policy.PolicyId);
        Assert.Equal(("v1", 0), (policy.DefaultVersionId, policy.AttachmentCount));
        var again = await h.Reopen().GetPolicyAsync(Account, policy.Arn, None);
        Assert.Equal((policy.PolicyId, policy.Description), (again.PolicyId, again.Description));
        Assert.Equal(Encrypt, (await h.Identity.GetPolicyVersionAsync(Account, policy.Arn, "v1", None)).Document);
        Assert.Equal(policy.Arn, Assert.Single(await h.Identity.ListPoliciesAsync(Account, "/team/", false, None)).Arn);
        Assert.Empty(await h.Identity.ListPoliciesAsync(Account, null, onlyAttached: true, None));

        Assert.Equal(IdentityErrorCode.EntityAlreadyExists,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreatePolicyAsync(Account, "KMS-ENCRYPT", null, Encrypt, null, h.Now, None))).Code);
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreatePolicyAsync(Account, "bad", null, "{\"Statement\":1}", null, h.Now, None))).Code);
        // The ARN names the path: the same name under another path is not this policy.
        Assert.Equal(IdentityErrorCode.NoSuchEntity,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetPolicyAsync(Account, "arn:aws:iam::111122223333:policy/kms-encrypt", None))).Code);
        Assert.Equal(IdentityErrorCode.InvalidInput,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetPolicyAsync(Account, "arn:aws:iam::111122223333:user/kms-encrypt", None))).Code);
    }

    [Fact]
    public async Task A_policy_has_at_most_five_versions_and_the_default_one_is_what_counts()
    {
        await using var h = await OpenAsync();
        var arn = (await h.Identity.CreatePolicyAsync(Account, "p", null, Encrypt, null, h.Now, None)).Arn;
        var user = await h.UserAsync("ivy");
        await h.Identity.AttachUserPolicyAsync(Account, "ivy", arn, None);
        Assert.Equal(Encrypt, Assert.Single((await h.Identity.GetPoliciesAsync(user, None)).Policies).Document);

        var v2 = await h.Identity.CreatePolicyVersionAsync(Account, arn, Decrypt, setAsDefault: true, h.Now, None);
        Assert.Equal(("v2", true), (v2.VersionId, v2.IsDefaultVersion));
        var effective = Assert.Single((await h.Identity.GetPoliciesAsync(user, None)).Policies);
        Assert.Equal((arn, Decrypt), (effective.Name, effective.Document));

        for (var i = 3; i <= 5; i++)
        {
            Assert.False((await h.Identity.CreatePolicyVersionAsync(Account, arn, Encrypt, setAsDefault: false, h.Now, None)).IsDefaultVersion);
        }

        Assert.Equal(IdentityErrorCode.LimitExceeded,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreatePolicyVersionAsync(Account, arn, Encrypt, false, h.Now, None))).Code);
        Assert.Equal(["v5", "v4", "v3", "v2", "v1"], (await h.Identity.ListPolicyVersionsAsync(Account, arn, None)).Select(v => v.VersionId));
        Assert.Equal(IdentityErrorCode.DeleteConflict,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeletePolicyVersionAsync(Account, arn, "v2", None))).Code);
        await h.Identity.DeletePolicyVersionAsync(Account, arn, "v1", None);
        Assert.Equal("v6", (await h.Identity.CreatePolicyVersionAsync(Account, arn, Encrypt, false, h.Now, None)).VersionId); // ids are never reused
        await h.Identity.SetDefaultPolicyVersionAsync(Account, arn, "v3", h.Now, None);
        Assert.Equal(Encrypt, Assert.Single((await h.Reopen().GetPoliciesAsync(user, None)).Policies).Document);
    }

    [Fact]
    public async Task An_attached_policy_blocks_deleting_the_policy_and_the_user_until_detached()
    {
        await using var h = await OpenAsync();
        var arn = (await h.Identity.CreatePolicyAsync(Account, "p", null, Encrypt, null, h.Now, None)).Arn;
        await h.Identity.CreateUserAsync(Account, "jo", null, null, null, h.Now, None);
        await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, null, null, h.Now, None);
        await h.Identity.AttachUserPolicyAsync(Account, "jo", arn, None);
        await h.Identity.AttachUserPolicyAsync(Account, "JO", arn, None); // attaching again changes nothing
        await h.Identity.AttachRolePolicyAsync(Account, "r", arn, None);
        Assert.Equal(2, (await h.Identity.GetPolicyAsync(Account, arn, None)).AttachmentCount);
        Assert.Equal(arn, Assert.Single(await h.Identity.ListAttachedUserPoliciesAsync(Account, "jo", None)).PolicyArn);
        Assert.Equal("p", Assert.Single(await h.Identity.ListAttachedRolePoliciesAsync(Account, "r", None)).PolicyName);

        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeletePolicyAsync(Account, arn, None))).Code);
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteUserAsync(Account, "jo", None))).Code);
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteRoleAsync(Account, "r", None))).Code);
        await h.Identity.DetachUserPolicyAsync(Account, "jo", arn, None);
        await h.Identity.DetachRolePolicyAsync(Account, "r", arn, None);
        Assert.Equal(IdentityErrorCode.NoSuchEntity, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DetachRolePolicyAsync(Account, "r", arn, None))).Code);
        await h.Identity.DeleteUserAsync(Account, "jo", None);
        await h.Identity.DeleteRoleAsync(Account, "r", None);
        await h.Identity.DeletePolicyAsync(Account, arn, None);
        Assert.Equal(IdentityErrorCode.NoSuchEntity, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetPolicyAsync(Account, arn, None))).Code);
    }

    [Fact]
    public async Task At_most_ten_managed_policies_attach_to_one_user()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateUserAsync(Account, "kim", null, null, null, h.Now, None);
        for (var i = 0; i < 11; i++)
        {
            var arn = (await h.Identity.CreatePolicyAsync(Account, "p" + i, null, Encrypt, null, h.Now, None)).Arn;
            if (i < 10)
            {
                await h.Identity.AttachUserPolicyAsync(Account, "kim", arn, None);
            }
            else
            {
                Assert.Equal(IdentityErrorCode.LimitExceeded,
                    (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AttachUserPolicyAsync(Account, "kim", arn, None))).Code);
            }
        }
    }

    [Fact]
    public async Task A_permissions_boundary_resolves_to_its_default_version_and_fails_closed_once_the_policy_is_gone()
    {
        await using var h = await OpenAsync();
        var arn = (await h.Identity.CreatePolicyAsync(Account, "boundary", null, Encrypt, null, h.Now, None)).Arn;
        Assert.Equal(IdentityErrorCode.NoSuchEntity, (await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.CreateUserAsync(Account, "x", null, null, "arn:aws:iam::111122223333:policy/missing", h.Now, None))).Code);
        Assert.Equal(IdentityErrorCode.InvalidInput, (await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.CreateUserAsync(Account, "x", null, null, "not-an-arn", h.Now, None))).Code);

        var user = await h.UserAsync("lee", Decrypt);
        await h.Identity.PutUserPermissionsBoundaryAsync(Account, "lee", arn, None);
        Assert.Equal(arn, (await h.Identity.GetUserAsync(Account, "lee", None)).PermissionsBoundaryArn);
        var policies = await h.Identity.GetPoliciesAsync(user, None);
        Assert.Equal((arn, arn, Encrypt), (policies.PermissionsBoundaryArn, policies.PermissionsBoundary!.Name, policies.PermissionsBoundary.Document));

        await h.Identity.DeletePolicyAsync(Account, arn, None); // a boundary is not an attachment
        policies = await h.Identity.GetPoliciesAsync(user, None);
        Assert.Equal(arn, policies.PermissionsBoundaryArn);
        Assert.Null(policies.PermissionsBoundary); // unresolved: the authorizer denies

        await h.Identity.DeleteUserPermissionsBoundaryAsync(Account, "lee", None);
        Assert.Null((await h.Identity.GetPoliciesAsync(user, None)).PermissionsBoundaryArn);

        var roleBoundary = (await h.Identity.CreatePolicyAsync(Account, "rb", "/b/", Encrypt, null, h.Now, None)).Arn;
        var role = await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, roleBoundary, null, h.Now, None);
        Assert.Equal(roleBoundary, role.PermissionsBoundaryArn);
        await h.Identity.DeleteRolePermissionsBoundaryAsync(Account, "r", None);
        Assert.Null((await h.Identity.GetRoleAsync(Account, "r", None)).PermissionsBoundaryArn);
        await h.Identity.PutRolePermissionsBoundaryAsync(Account, "r", roleBoundary, None);
        Assert.Equal(roleBoundary, (await h.Reopen().GetRoleAsync(Account, "r", None)).PermissionsBoundaryArn);
    }
}
