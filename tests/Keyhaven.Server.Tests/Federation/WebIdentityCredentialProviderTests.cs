using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Federation;

/// <summary>
/// The AWS SDK's own web identity credential provider (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, the way EKS and
/// CI systems hand tokens to workloads) gets its credentials from Keyhaven: the STS endpoint comes from
/// AWS_ENDPOINT_URL_STS, nothing in the SDK is replaced.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class WebIdentityCredentialProviderTests
{
    [Fact]
    public async Task The_SDK_reads_the_token_file_and_role_from_the_environment_and_uses_the_federated_session()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        var tokenFile = Path.Combine(server.Options.DataDirectory, "web-identity-token");
        await File.WriteAllTextAsync(tokenFile, issuer.Issue("user-carol", FederationSetup.Audience, server.Clock.GetUtcNow(), FederationSetup.Claims("finance", "finance")));
        using var environment = new EnvironmentScope(
            ("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile), ("AWS_ROLE_ARN", setup.RoleArn), ("AWS_ROLE_SESSION_NAME", "carol"),
            ("AWS_ENDPOINT_URL_STS", server.Server.Endpoint.ToString()), ("AWS_REGION", server.Region));

        var credentials = AssumeRoleWithWebIdentityCredentials.FromEnvironmentVariables();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var carol = server.Kms(credentials);
        var blob = (await carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("budget"), EncryptionContext = new() { ["dept"] = "finance" } })).CiphertextBlob;
        var plain = await carol.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, EncryptionContext = new() { ["dept"] = "finance" } });
        Assert.Equal("budget", Encoding.UTF8.GetString(plain.Plaintext.ToArray()));
        await DeniedAsync(() => carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x"), EncryptionContext = new() { ["dept"] = "hr" } }));

        var immutable = await credentials.GetCredentialsAsync();
        Assert.StartsWith("ASIA", immutable.AccessKey);
        Assert.False(string.IsNullOrEmpty(immutable.Token));
    }
}
