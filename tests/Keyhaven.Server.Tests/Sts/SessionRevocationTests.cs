using System.Globalization;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
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
}
