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
    public async Task Role_session_credentials_are_ExpiredTokenException_on_KMS_and_ExpiredToken_on_STS_and_IAM_after_their_expiry()
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

        // STS and IAM (Query services) answer ExpiredToken, 403: aws/aws-cli#7870 ("An error occurred (ExpiredToken) when
        // calling the GetCallerIdentity operation"), cfn-sphere/cfn-sphere#55 (IAM: 403 Forbidden, <Code>ExpiredToken</Code>).
        // ExpiredTokenException in the STS model is AssumeRoleWith*'s error for an expired identity-provider token.
        using var asSession = server.Sts(session);
        var stsError = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => asSession.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("ExpiredToken", stsError.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, stsError.StatusCode);
        Assert.Equal("The security token included in the request is expired", stsError.Message);

        using var iamAsSession = new IamQueryClient(server, c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        var iamError = await iamAsSession.SendAsync("ListUsers");
        Assert.Equal(403, iamError.Status);
        Assert.Equal("ExpiredToken", iamError.ErrorCode);
    }
}
