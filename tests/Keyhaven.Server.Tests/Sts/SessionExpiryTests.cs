using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>Temporary credentials stop working at their expiry (each test has its own server: they move the clock).</summary>
public sealed class SessionExpiryTests
{
    [Fact]
    public async Task Role_session_credentials_are_ExpiredTokenException_after_their_expiry()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("expiry-user");
        var roleArn = await iam.CreateRoleAsync("expiry-role", userArn);
        using var sts = server.Sts(new BasicAWSCredentials(id, secret));
        var c = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "short", DurationSeconds = 900 })).Credentials;
        var session = new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        using var kms = server.Kms(session);
        await kms.ListKeysAsync(new ListKeysRequest());

        server.Clock.Advance(TimeSpan.FromSeconds(901));
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("ExpiredTokenException", error.ErrorCode);
        Assert.Equal("The security token included in the request is expired", error.Message);

        using var asSession = server.Sts(session);
        var stsError = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => asSession.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("ExpiredTokenException", stsError.ErrorCode);
    }
}
