using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Tests.Support;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>AssumeRole and GetSessionToken: trust evaluation, durations, role chaining, session credentials.</summary>
public sealed class SessionTests
{
    private const string AllowAssume = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""";

    [Fact]
    public async Task A_user_named_in_the_trust_policy_gets_a_role_session()
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("alice");
        var role = await h.Identity.CreateRoleAsync(Account, "app", null, TrustPolicy(user.Arn), null, null, null, [new("team", "blue")], h.Now, None);
        var assumed = await h.Identity.AssumeRoleAsync(user, role.Arn, "s1", null, null, null, h.Now, None);

        Assert.Equal("arn:aws:sts::111122223333:assumed-role/app/s1", assumed.Arn);
        Assert.Equal(role.RoleId + ":s1", assumed.AssumedRoleId);
        Assert.Matches("^ASIA[A-Z2-7]{16}$", assumed.Credentials.AccessKeyId);
        Assert.Equal(h.Now.AddHours(1), assumed.Credentials.Expiration);

        var session = (await h.Reopen().FindCredentialAsync(assumed.Credentials.AccessKeyId, None))!;
        Assert.Equal(assumed.Credentials.SecretAccessKey, session.SecretAccessKey);
        Assert.Equal(PrincipalKind.AssumedRole, session.Principal.Kind);
        Assert.Equal(role.Arn, session.Principal.RoleArn);
        Assert.Equal("blue", session.Principal.Tags["team"]);
        Assert.Equal(h.Now.AddHours(1), session.Principal.SessionExpiration);
        Assert.True(IdentityStore.IsSessionToken(session.Principal, assumed.Credentials.SessionToken));
        Assert.False(IdentityStore.IsSessionToken(session.Principal, assumed.Credentials.SessionToken + "x"));
        Assert.False(IdentityStore.IsSessionToken(session.Principal, null));
        Assert.False(IdentityStore.IsSessionToken(user, assumed.Credentials.SessionToken));
    }

    [Fact]
    public async Task A_user_not_in_the_trust_policy_is_AccessDenied_and_so_is_delegation_without_an_identity_policy()
    {
        await using var h = await OpenAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var named = await h.Identity.CreateRoleAsync(Account, "named", null, TrustPolicy(alice.Arn), null, null, null, null, h.Now, None);
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(bob, named.Arn, "s1", null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.AccessDenied, error.Code);
        Assert.Contains(bob.Arn, error.Message);

        // A trust policy naming the account delegates to IAM: the caller's identity policy must allow sts:AssumeRole.
        var delegated = await h.Identity.CreateRoleAsync(Account, "delegated", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, null, null, h.Now, None);
        await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(bob, delegated.Arn, "s1", null, null, null, h.Now, None));
        await h.Identity.PutUserPolicyAsync(Account, "bob", "assume", AllowAssume, None);
        await h.Identity.AssumeRoleAsync(bob, delegated.Arn, "s1", null, null, null, h.Now, None);

        var missing = await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.AssumeRoleAsync(bob, "arn:aws:iam::111122223333:role/nope", "s1", null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.AccessDenied, missing.Code);
    }

    [Fact]
    public async Task The_account_root_may_not_assume_roles()
    {
        await using var h = await OpenAsync();
        var root = new IdentityPrincipal
        {
            Kind = PrincipalKind.Root, Account = Account, Arn = "arn:aws:iam::111122223333:root", UserId = "111122223333", AccessKeyId = "AKIAROOTROOTROOTROOT",
        };
        var role = await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy("arn:aws:iam::111122223333:root"), null, null, null, null, h.Now, None);
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(root, role.Arn, "s1", null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.AccessDenied, error.Code);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("has space")]
    [InlineData("x/y")]
    public async Task RoleSessionName_is_2_to_64_characters_of_the_IAM_name_set(string name)
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("alice");
        var role = await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy(user.Arn), null, null, null, null, h.Now, None);
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(user, role.Arn, name, null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.ValidationError, error.Code);
    }

    [Fact]
    public async Task DurationSeconds_is_900_to_the_role_maximum_and_one_hour_when_chaining()
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("alice");
        var first = await h.Identity.CreateRoleAsync(Account, "first", null, TrustPolicy(user.Arn), null, 7200, null, null, h.Now, None);
        Assert.Equal(IdentityErrorCode.ValidationError,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(user, first.Arn, "s1", 899, null, null, h.Now, None))).Code);
        Assert.Equal(IdentityErrorCode.ValidationError,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(user, first.Arn, "s1", 7201, null, null, h.Now, None))).Code);
        var long_ = await h.Identity.AssumeRoleAsync(user, first.Arn, "s1", 7200, null, null, h.Now, None);
        Assert.Equal(h.Now.AddHours(2), long_.Credentials.Expiration);

        var session = (await h.Identity.FindCredentialAsync(long_.Credentials.AccessKeyId, None))!.Principal;
        var second = await h.Identity.CreateRoleAsync(Account, "second", null, TrustPolicy(first.Arn), null, 7200, null, null, h.Now, None);
        var chained = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.AssumeRoleAsync(session, second.Arn, "c1", 3601, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.ValidationError, chained.Code);
        Assert.Contains("role chaining", chained.Message);
        var ok = await h.Identity.AssumeRoleAsync(session, second.Arn, "c1", 3600, null, null, h.Now, None);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/second/c1", ok.Arn);
    }

    [Fact]
    public async Task A_session_policy_is_validated_and_handed_to_the_authorizer()
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("alice");
        var role = await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy(user.Arn), null, null, null, null, h.Now, None);
        await h.Identity.PutRolePolicyAsync(Account, "r", "all", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""", None);
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument, (await Assert.ThrowsAsync<IdentityException>(() =>
            h.Identity.AssumeRoleAsync(user, role.Arn, "s1", null, "{", null, h.Now, None))).Code);
        const string sessionPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
        var assumed = await h.Identity.AssumeRoleAsync(user, role.Arn, "s1", null, sessionPolicy, null, h.Now, None);
        var principal = (await h.Identity.FindCredentialAsync(assumed.Credentials.AccessKeyId, None))!.Principal;
        var policies = await h.Identity.GetPoliciesAsync(principal, None);
        Assert.True(policies.PrincipalExists);
        Assert.Equal("all", Assert.Single(policies.Policies).Name);
        Assert.Equal(sessionPolicy, policies.SessionPolicy!.Document);

        await h.Identity.DeleteRolePolicyAsync(Account, "r", "all", None);
        await h.Identity.DeleteRoleAsync(Account, "r", None);
        await h.Identity.CreateRoleAsync(Account, "r", null, TrustPolicy(user.Arn), null, null, null, null, h.Now, None);
        Assert.False((await h.Identity.GetPoliciesAsync(principal, None)).PrincipalExists); // a re-created role is another role
    }

    [Fact]
    public async Task GetSessionToken_gives_a_user_a_session_of_its_own_identity_but_not_to_a_session()
    {
        await using var h = await OpenAsync();
        var user = await h.UserAsync("alice");
        var credentials = await h.Identity.GetSessionTokenAsync(user, null, h.Now, None);
        Assert.Equal(h.Now.AddHours(12), credentials.Expiration);
        var session = (await h.Identity.FindCredentialAsync(credentials.AccessKeyId, None))!.Principal;
        Assert.Equal(PrincipalKind.User, session.Kind);
        Assert.Equal(user.Arn, session.Arn);
        Assert.Equal(user.UserId, session.UserId);
        Assert.True(session.IsSession);
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetSessionTokenAsync(session, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.AccessDenied, error.Code);
    }
}
