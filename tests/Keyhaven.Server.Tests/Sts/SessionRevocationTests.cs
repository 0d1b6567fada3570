using System.Globalization;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>
/// aws:TokenIssueTime and IAM's "Revoke active sessions": a role inline policy denying every action to sessions
/// issued before a cut-off time.
/// </summary>
// spec: IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
public sealed class SessionRevocationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private static string RevokeOlderThan(DateTimeOffset cutOff)
    {
        var time = cutOff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
              "Condition":{"DateLessThan":{"aws:TokenIssueTime":"{{{{time}}}}"}}}]}
            """;
    }

    [Fact]
    public async Task Revoking_active_sessions_denies_sessions_issued_before_the_cut_off_and_not_those_issued_after()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("revoke-user");
        var roleArn = await iam.CreateRoleAsync("revoke-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var old = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "old" })).Credentials;
        using var oldKms = Server.Kms(new SessionAWSCredentials(old.AccessKeyId, old.SecretAccessKey, old.SessionToken));
        await oldKms.CreateKeyAsync(new CreateKeyRequest());

        await iam.OkAsync("PutRolePolicy", ("RoleName", "revoke-role"), ("PolicyName", "AWSRevokeOlderSessions"),
            ("PolicyDocument", RevokeOlderThan(Server.Clock.GetUtcNow().AddMinutes(5))));
        await DeniedAsync(() => oldKms.CreateKeyAsync(new CreateKeyRequest()));

        // A cut-off in the past: a session issued after it is not revoked (the condition key is present and later).
        await iam.OkAsync("PutRolePolicy", ("RoleName", "revoke-role"), ("PolicyName", "AWSRevokeOlderSessions"),
            ("PolicyDocument", RevokeOlderThan(Server.Clock.GetUtcNow().AddMinutes(-5))));
        var fresh = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "fresh" })).Credentials;
        using var freshKms = Server.Kms(new SessionAWSCredentials(fresh.AccessKeyId, fresh.SecretAccessKey, fresh.SessionToken));
        await freshKms.CreateKeyAsync(new CreateKeyRequest());
    }

    [Fact]
    public async Task A_revoked_role_session_cannot_chain_into_another_role()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("revoke-chain-user");
        var firstArn = await iam.CreateRoleAsync("revoke-chain-first", userArn);
        await iam.OkAsync("PutRolePolicy", ("RoleName", "revoke-chain-first"), ("PolicyName", "chain"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"""));
        var secondArn = await iam.CreateRoleAsync("revoke-chain-second", firstArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var first = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = firstArn, RoleSessionName = "first" })).Credentials;
        using var chained = Server.Sts(new SessionAWSCredentials(first.AccessKeyId, first.SecretAccessKey, first.SessionToken));
        await chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = secondArn, RoleSessionName = "chained" });

        // The trust evaluation of AssumeRole sees the caller session's issue time too, so the revocation covers chaining.
        await iam.OkAsync("PutRolePolicy", ("RoleName", "revoke-chain-first"), ("PolicyName", "AWSRevokeOlderSessions"),
            ("PolicyDocument", RevokeOlderThan(Server.Clock.GetUtcNow().AddMinutes(5))));
        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = secondArn, RoleSessionName = "chained-again" }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }
}
