using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>
/// What GetSessionToken credentials may call: no IAM operation (without MFA, which Keyhaven does not support in
/// GetSessionToken), and of STS only AssumeRole and GetCallerIdentity.
/// </summary>
// spec: STS/latest/APIReference/API_GetSessionToken.html
public sealed class GetSessionTokenRestrictionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task GetSessionToken_credentials_cannot_call_IAM_or_STS_beyond_AssumeRole_and_GetCallerIdentity()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("gst-admin", IamQueryClient.Allow("iam:*", "sts:*"));
        var roleArn = await iam.CreateRoleAsync("gst-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var c = (await sts.GetSessionTokenAsync(new GetSessionTokenRequest())).Credentials;

        // The long-term key may call IAM; its GetSessionToken session may not. AWS answers InvalidClientTokenId (403).
        using var longTerm = new IamQueryClient(Server, id, secret);
        await longTerm.OkAsync("CreateUser", ("UserName", "made-by-long-term-key"));
        using var sessionIam = new IamQueryClient(Server, c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        var refused = await sessionIam.SendAsync("CreateUser", ("UserName", "made-by-session"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("InvalidClientTokenId", refused.ErrorCode);
        Assert.Equal(404, (await iam.SendAsync("GetUser", ("UserName", "made-by-session"))).Status);

        using var sessionSts = Server.Sts(new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        Assert.Equal(userArn, (await sessionSts.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        var assumed = await sessionSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "from-gst" });
        Assert.EndsWith(":assumed-role/gst-role/from-gst", assumed.AssumedRoleUser.Arn);
        var keyInfo = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sessionSts.GetAccessKeyInfoAsync(new GetAccessKeyInfoRequest { AccessKeyId = id }));
        Assert.Equal("AccessDenied", keyInfo.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, keyInfo.StatusCode);
        Assert.Equal("AccessDenied", (await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sessionSts.GetSessionTokenAsync(new GetSessionTokenRequest()))).ErrorCode);
    }
}
