using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Tests.Support;
using Keyhaven.Identity.Users;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests;

/// <summary>Users, their access keys and inline policies.</summary>
public sealed class UserTests
{
    [Fact]
    public async Task A_user_gets_an_AIDA_id_and_an_ARN_with_its_path()
    {
        await using var h = await OpenAsync();
        var user = await h.Identity.CreateUserAsync(Account, "alice", "/team/", [new("dept", "eng")], null, h.Now, None);
        Assert.Equal("arn:aws:iam::111122223333:user/team/alice", user.Arn);
        Assert.StartsWith("AIDA", user.UserId);
        Assert.Equal(21, user.UserId.Length);
        Assert.Equal("/team/", user.Path);
        Assert.Equal([new("dept", "eng")], user.Tags);
        var again = await h.Reopen().GetUserAsync(Account, "ALICE", None);
        Assert.Equal((user.Arn, user.UserId, user.CreateDate), (again.Arn, again.UserId, again.CreateDate));
        Assert.Equal(user.Tags, again.Tags);
    }

    [Fact]
    public async Task User_names_are_unique_ignoring_case_and_are_validated()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateUserAsync(Account, "bob", null, null, null, h.Now, None);
        var duplicate = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreateUserAsync(Account, "BOB", null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.EntityAlreadyExists, duplicate.Code);
        Assert.Equal(409, duplicate.HttpStatus);
        var invalid = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreateUserAsync(Account, "bad name", null, null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.ValidationError, invalid.Code);
        var badPath = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreateUserAsync(Account, "carol", "noslash", null, null, h.Now, None));
        Assert.Equal(IdentityErrorCode.ValidationError, badPath.Code);
    }

    [Fact]
    public async Task An_access_key_resolves_to_the_user_while_active_and_stops_when_inactive_or_deleted()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateUserAsync(Account, "dave", null, null, null, h.Now, None);
        var key = await h.Identity.CreateAccessKeyAsync(Account, "dave", h.Now, None);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", key.Metadata.AccessKeyId);
        Assert.Equal(40, key.SecretAccessKey.Length);

        var resolved = await h.Identity.FindCredentialAsync(key.Metadata.AccessKeyId, None);
        Assert.NotNull(resolved);
        Assert.Equal(key.SecretAccessKey, resolved.SecretAccessKey);
        Assert.Equal(PrincipalKind.User, resolved.Principal.Kind);
        Assert.Equal("dave", resolved.Principal.UserName);
        Assert.DoesNotContain(key.SecretAccessKey, resolved.ToString());

        var revoked = new List<string>();
        h.Identity.CredentialRevoked += revoked.Add;
        await h.Identity.UpdateAccessKeyAsync(Account, "dave", key.Metadata.AccessKeyId, AccessKeyStatus.Inactive, None);
        Assert.Null(await h.Identity.FindCredentialAsync(key.Metadata.AccessKeyId, None));
        Assert.Equal([key.Metadata.AccessKeyId], revoked);
        Assert.Equal(AccessKeyStatus.Inactive, Assert.Single(await h.Identity.ListAccessKeysAsync(Account, "dave", None)).Status);

        await h.Identity.UpdateAccessKeyAsync(Account, "dave", key.Metadata.AccessKeyId, AccessKeyStatus.Active, None);
        Assert.NotNull(await h.Reopen().FindCredentialAsync(key.Metadata.AccessKeyId, None));
        await h.Identity.DeleteAccessKeyAsync(Account, "dave", key.Metadata.AccessKeyId, None);
        Assert.Null(await h.Identity.FindCredentialAsync(key.Metadata.AccessKeyId, None));
        Assert.Empty(await h.Identity.ListAccessKeysAsync(Account, "dave", None));
    }

    [Fact]
    public async Task A_user_has_at_most_two_access_keys()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateUserAsync(Account, "erin", null, null, null, h.Now, None);
        await h.Identity.CreateAccessKeyAsync(Account, "erin", h.Now, None);
        await h.Identity.CreateAccessKeyAsync(Account, "erin", h.Now, None);
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.CreateAccessKeyAsync(Account, "erin", h.Now, None));
        Assert.Equal(IdentityErrorCode.LimitExceeded, error.Code);
    }

    [Fact]
    public async Task A_user_with_keys_or_policies_cannot_be_deleted()
    {
        await using var h = await OpenAsync();
        await h.UserAsync("frank", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
        var error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteUserAsync(Account, "frank", None));
        Assert.Equal(IdentityErrorCode.DeleteConflict, error.Code);
        foreach (var key in await h.Identity.ListAccessKeysAsync(Account, "frank", None))
        {
            await h.Identity.DeleteAccessKeyAsync(Account, "frank", key.AccessKeyId, None);
        }

        error = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.DeleteUserAsync(Account, "frank", None));
        Assert.Equal("Cannot delete entity, must delete policies first.", error.Message);
        await h.Identity.DeleteUserPolicyAsync(Account, "frank", "inline", None);
        await h.Identity.DeleteUserAsync(Account, "frank", None);
        Assert.Empty(await h.Identity.ListUsersAsync(Account, null, None));
        Assert.Equal(IdentityErrorCode.NoSuchEntity, (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.GetUserAsync(Account, "frank", None))).Code);
    }

    [Fact]
    public async Task Inline_user_policies_are_validated_stored_as_given_and_limited_in_aggregate()
    {
        await using var h = await OpenAsync();
        await h.Identity.CreateUserAsync(Account, "gina", null, null, null, h.Now, None);
        const string policy = """
            { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*" } ] }
            """;
        await h.Identity.PutUserPolicyAsync(Account, "gina", "enc", policy, None);
        Assert.Equal(policy, await h.Identity.GetUserPolicyAsync(Account, "gina", "enc", None));
        Assert.Equal(["enc"], await h.Identity.ListUserPoliciesAsync(Account, "gina", None));

        var malformed = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.PutUserPolicyAsync(Account, "gina", "bad", "{\"Statement\":[{\"Effect\":\"Maybe\"}]}", None));
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument, malformed.Code);
        var withPrincipal = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}""";
        Assert.Equal(IdentityErrorCode.MalformedPolicyDocument,
            (await Assert.ThrowsAsync<IdentityException>(() => h.Identity.PutUserPolicyAsync(Account, "gina", "p", withPrincipal, None))).Code);

        var big = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/{{new string('a', 2000)}}"}]}""";
        var tooBig = await Assert.ThrowsAsync<IdentityException>(() => h.Identity.PutUserPolicyAsync(Account, "gina", "big", big, None));
        Assert.Equal(IdentityErrorCode.LimitExceeded, tooBig.Code);
        Assert.Equal(["enc"], await h.Identity.ListUserPoliciesAsync(Account, "gina", None));

        var policies = await h.Identity.GetPoliciesAsync((await h.UserAsync("hank", policy)), None);
        Assert.True(policies.PrincipalExists);
        Assert.Equal("inline", Assert.Single(policies.Policies).Name);
        Assert.Null(policies.SessionPolicy);
    }
}
