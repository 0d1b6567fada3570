using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime.Credentials;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Hosting;

/// <summary>The README's .NET quick start, as written: the SDK finds the credentials file and profile by itself.</summary>
public sealed class ReadmeQuickStartTests
{
    [Fact]
    public async Task The_sdks_default_credential_chain_reads_the_credentials_file_keyhaven_wrote()
    {
        await using var server = await TestServer.StartAsync();
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", server.Options.CredentialsPath);
        Environment.SetEnvironmentVariable("AWS_PROFILE", "keyhaven");
        try
        {
            using var kms = new AmazonKeyManagementServiceClient(
                DefaultAWSCredentialsIdentityResolver.GetCredentials(),
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
        finally
        {
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", null);
            Environment.SetEnvironmentVariable("AWS_PROFILE", null);
        }
    }
}
