using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime.CredentialManagement;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Hosting;

/// <summary>The README's .NET quick start, as written: the SDK reads the profile from the credentials file Keyhaven wrote.</summary>
public sealed class ReadmeQuickStartTests
{
    [Fact]
    public async Task The_sdk_reads_the_keyhaven_profile_from_the_credentials_file_keyhaven_wrote()
    {
        await using var server = await TestServer.StartAsync();
        var credentialsFile = server.Options.CredentialsPath;

        // README: read the "keyhaven" profile from the credentials file Keyhaven wrote.
        var profiles = new CredentialProfileStoreChain(credentialsFile);
        Assert.True(profiles.TryGetAWSCredentials("keyhaven", out var credentials));
        using var kms = new AmazonKeyManagementServiceClient(credentials,
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "orders" });
        var encrypted = await kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyMetadata.KeyId,
            Plaintext = new MemoryStream("secret"u8.ToArray()),
            EncryptionContext = new() { ["order"] = "42" },
        });
        var decrypted = await kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = encrypted.CiphertextBlob,
            EncryptionContext = new() { ["order"] = "42" },
        });
        Assert.Equal("secret"u8.ToArray(), decrypted.Plaintext.ToArray());
    }
}
