using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Tests.Support;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>Roles: trust policies, session duration limits, inline policies.</summary>
public sealed class RoleTests
{
    [Fact]
    public async Task A_role_gets_an_AROA_id_and_keeps_its_trust_policy_as_given()
    {
        await using var h = await OpenAsync();
        var trust = TrustPolicy("arn:aws:iam::111122223333:root");
        var role = await h.Identity.CreateRoleAsync(Account, "app", "/svc/", trust, "the app", 7200, null, [new("env", "prod")], h.Now, None);
        Assert.Equal("arn:aws:iam::111122223333:role/svc/app", role.Arn);
        Assert.Matches("^AROA[A-Z2-7]{17}$", role.RoleId);
        Assert.Equal(7200, role.MaxSessionDuration);
        var again = await h.Reopen().GetRoleAsync(Account, "APP", None);
        Assert.Equal((role.Arn, role.RoleId, role.AssumeRolePolicyDocument, role.Description), (again.Arn, again.RoleId, again.AssumeRolePolicyDocument, again.Description));
        Assert.Equal(role.Tags, again.Tags);
        Assert.Equal(role.RoleId, Assert.Single(await h.Identity.ListRolesAsync(Account, "/svc/", None)).RoleId);
        Assert.Empty(await h.Identity.ListRolesAsync(Account, "/other/", None));
    }

    [Theory]
    [InlineData(3599)]
    [InlineData(43201)]
    public async Task MaxSessionDuration_must_be_between_one_and_twelve_hours(int seconds)
    {
        await using var h = await OpenAsync();
        var error = await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, seconds, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.ValidationError, error.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""")]
    public async Task A_trust_policy_that_does_not_parse_or_lacks_a_principal_is_MalformedPolicyDocument(string trust)
    {
        await using var h = await OpenAsync();
        var error = await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.CreateRoleAsync(Account, "r", null, trust, null, null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument, error.Code);
        await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, null, null, h.Now, None);
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.UpdateAssumeRolePolicyAsync(Account, "r", trust, None))).Code);
    }

    [Fact]
    public async Task Role_policies_are_put_listed_and_block_deletion_until_removed()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, null, null, h.Now, None);
        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""";
        await h.Identity.PutRolePolicyAsync(Account, "r", "dec", policy, None);
        Assert.Equal(policy, await h.Identity.GetRolePolicyAsync(Account, "r", "dec", None));
        Assert.Equal(["dec"], await h.Identity.ListRolePoliciesAsync(Account, "r", None));
        Assert.Equal(IdentityErrorCode.DeleteConflict, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteRoleAsync(Account, "r", None))).Code);
        await h.Identity.DeleteRolePolicyAsync(Account, "r", "dec", None);
        Assert.Equal(IdentityErrorCode.NoSuchEntity,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetRolePolicyAsync(Account, "r", "dec", None))).Code);
        await h.Identity.DeleteRoleAsync(Account, "r", None);
        Assert.Equal(IdentityErrorCode.NoSuchEntity, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetRoleAsync(Account, "r", None))).Code);
    }
}
