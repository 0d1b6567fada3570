using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>STS through the AWS SDK for .NET: GetCallerIdentity, AssumeRole (trust policy, durations, chaining), session credentials on KMS.</summary>
public sealed class StsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task GetCallerIdentity_names_the_account_root_for_the_bootstrap_key()
    {
        using var sts = Server.Sts();
        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Matches("^[0-9]{12}$", me.Account);
        Assert.Equal($"arn:aws:iam::{me.Account}:root", me.Arn);
        Assert.Equal(me.Account, me.UserId);
    }

    [Fact]
    public async Task GetCallerIdentity_names_an_IAM_user_for_its_key()
    {
        using var iam = new IamQueryClient(Server);
        var (arn, id, secret) = await iam.CreateUserWithKeyAsync("gci-user");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(arn, me.Arn);
        Assert.StartsWith("AIDA", me.UserId);
        Assert.EndsWith(":user/gci-user", me.Arn);
    }

    [Fact]
    public async Task A_user_trusted_by_a_role_assumes_it_and_the_session_works_on_KMS()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("ar-user");
        var roleArn = await iam.CreateRoleAsync("ar-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "app-1" });

        var account = roleArn.Split(':')[4];
        Assert.Equal($"arn:aws:sts::{account}:assumed-role/ar-role/app-1", assumed.AssumedRoleUser.Arn);
        Assert.Matches("^AROA[A-Z2-7]{17}:app-1$", assumed.AssumedRoleUser.AssumedRoleId);
        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId);
        Assert.InRange(assumed.Credentials.Expiration!.Value.ToUniversalTime(), Server.Clock.GetUtcNow().UtcDateTime.AddMinutes(59), Server.Clock.GetUtcNow().UtcDateTime.AddMinutes(61));

        var session = new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
        using var asRole = Server.Sts(session);
        var me = await asRole.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(assumed.AssumedRoleUser.Arn, me.Arn);
        Assert.Equal(assumed.AssumedRoleUser.AssumedRoleId, me.UserId);

        using var kms = Server.Kms(session);
        var key = await kms.CreateKeyAsync(new CreateKeyRequest());
        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream([1, 2, 3]) });
        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });
        Assert.Equal([1, 2, 3], decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_user_the_trust_policy_does_not_name_is_AccessDenied()
    {
        using var iam = new IamQueryClient(Server);
        var (trustedArn, _, _) = await iam.CreateUserWithKeyAsync("trusted-user");
        var (_, id, secret) = await iam.CreateUserWithKeyAsync("other-user");
        var roleArn = await iam.CreateRoleAsync("only-trusted", trustedArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "nope" }));
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("other-user is not authorized to perform: sts:AssumeRole", error.Message);
    }

    [Fact]
    public async Task DurationSeconds_is_checked_against_the_role_and_chained_sessions_are_capped_at_one_hour()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("chain-user");
        var first = await iam.CreateRoleAsync("chain-first", userArn, maxSessionDuration: 7200);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var tooLong = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = first, RoleSessionName = "s1", DurationSeconds = 7201 }));
        Assert.Equal("ValidationError", tooLong.ErrorCode);
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = first, RoleSessionName = "s1", DurationSeconds = 7200 });

        var second = await iam.CreateRoleAsync("chain-second", first, maxSessionDuration: 7200);
        using var chained = Server.Sts(new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken));
        var capped = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "s2", DurationSeconds = 7200 }));
        Assert.Equal("ValidationError", capped.ErrorCode);
        Assert.Contains("role chaining", capped.Message);
        var ok = await chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "s2", DurationSeconds = 3600 });
        Assert.EndsWith(":assumed-role/chain-second/s2", ok.AssumedRoleUser.Arn);
    }

    [Fact]
    public async Task A_wrong_or_missing_session_token_is_refused()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("token-user");
        var roleArn = await iam.CreateRoleAsync("token-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var c = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "t1" })).Credentials;

        using var wrongKms = Server.Kms(new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken[..^4] + "AAAA"));
        var kmsError = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => wrongKms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("UnrecognizedClientException", kmsError.ErrorCode);

        using var noToken = Server.Sts(new BasicAWSCredentials(c.AccessKeyId, c.SecretAccessKey));
        var stsError = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => noToken.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("InvalidClientTokenId", stsError.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, stsError.StatusCode);
    }

    [Fact]
    public async Task GetSessionToken_gives_a_user_temporary_credentials_of_its_own_identity()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("gst-user");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var token = await sts.GetSessionTokenAsync(new GetSessionTokenRequest { DurationSeconds = 900 });
        using var asSession = Server.Sts(new SessionAWSCredentials(token.Credentials.AccessKeyId, token.Credentials.SecretAccessKey, token.Credentials.SessionToken));
        Assert.Equal(userArn, (await asSession.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        var again = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => asSession.GetSessionTokenAsync(new GetSessionTokenRequest()));
        Assert.Equal("AccessDenied", again.ErrorCode);
    }

    [Fact]
    public async Task IAM_calls_are_allowed_by_identity_policies_and_denied_without_them()
    {
        // AWS IAM: a principal other than the root may call IAM only as far as its identity policies allow.
        using var iam = new IamQueryClient(Server);
        var (_, id, secret) = await iam.CreateUserWithKeyAsync("iam-admin", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}""");
        using var admin = new IamQueryClient(Server, id, secret);
        await admin.OkAsync("CreateUser", ("UserName", "created-by-admin"));

        var (_, plainId, plainSecret) = await iam.CreateUserWithKeyAsync("not-admin");
        using var asUser = new IamQueryClient(Server, plainId, plainSecret);
        var denied = await asUser.SendAsync("CreateUser", ("UserName", "sneaky"));
        Assert.Equal(403, denied.Status);
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Equal(404, (await iam.SendAsync("GetUser", ("UserName", "sneaky"))).Status);
    }

    [Fact]
    public async Task A_long_term_key_sent_with_a_session_token_is_refused_and_a_deactivated_key_stops_at_once()
    {
        using var iam = new IamQueryClient(Server);
        var (_, id, secret) = await iam.CreateUserWithKeyAsync("longterm-user");
        using var withToken = Server.Sts(new SessionAWSCredentials(id, secret, "not-a-session-token"));
        Assert.Equal("InvalidClientTokenId", (await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            withToken.GetCallerIdentityAsync(new GetCallerIdentityRequest()))).ErrorCode);

        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await iam.OkAsync("UpdateAccessKey", ("UserName", "longterm-user"), ("AccessKeyId", id), ("Status", "Inactive"));
        Assert.Equal("InvalidClientTokenId", (await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()))).ErrorCode);
    }

    [Fact]
    public async Task A_session_of_a_deleted_role_is_denied_on_KMS()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("deleted-role-user");
        var roleArn = await iam.CreateRoleAsync("deleted-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var c = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "gone" })).Credentials;
        using var kms = Server.Kms(new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        await kms.CreateKeyAsync(new CreateKeyRequest());

        await iam.OkAsync("DeleteRolePolicy", ("RoleName", "deleted-role"), ("PolicyName", "kms"));
        await iam.OkAsync("DeleteRole", ("RoleName", "deleted-role"));
        Assert.Equal("AccessDeniedException", (await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync(new CreateKeyRequest()))).ErrorCode);
    }
}
