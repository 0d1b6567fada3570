using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>
/// The AWS SDK's own AssumeRole credential provider (<see cref="AssumeRoleAWSCredentials"/>) against Keyhaven. The SDK
/// builds its STS client through the global runtime dependency registry; the factory registered here points it at the
/// test server of the current async flow.
/// </summary>
public sealed class AssumeRoleCredentialProviderTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    // The registry's context carries the action, region and proxy, not the source credentials: the factory supplies them.
    // Registration is process-wide: outside this class's flow it makes the client the SDK itself would make for web
    // identity (anonymous, endpoint from the environment), so other credential-provider tests are unaffected.
    private static readonly AsyncLocal<(TestServer Server, AWSCredentials Source)?> Current = new();

    static AssumeRoleCredentialProviderTests() =>
        GlobalRuntimeDependencyRegistry.Instance.RegisterSecurityTokenServiceClient(_ =>
            Current.Value is var (server, source) ? server.Sts(source) : new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials()));

    [Fact]
    public async Task AssumeRoleAWSCredentials_gets_a_role_session_from_Keyhaven_and_signs_KMS_calls_with_it()
    {
        var server = fixture.Server;
        using var iam = new IamQueryClient(server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("provider-user");
        var roleArn = await iam.CreateRoleAsync("provider-role", userArn);
        var source = new BasicAWSCredentials(id, secret);
        Current.Value = (server, source);

        var credentials = new AssumeRoleAWSCredentials(source, roleArn, "provider-session",
            new AssumeRoleAWSCredentialsOptions { DurationSeconds = 900 });
        using var kms = server.Kms(credentials);
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "made by a role session" });
        Assert.Equal("made by a role session", key.KeyMetadata.Description);

        using var sts = server.Sts(credentials);
        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.EndsWith(":assumed-role/provider-role/provider-session", me.Arn);
    }
}
