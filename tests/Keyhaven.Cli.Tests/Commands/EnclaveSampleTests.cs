using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary>
/// The development enclave sample end to end, every part a real process: <c>keyhaven serve</c> trusting a development
/// root, <c>keyhaven enclave run</c> (the enclave), and <c>keyhaven enclave parent</c> (its parent), which has the
/// enclave decrypt data with a data key that KMS releases, sealed, only to the image the key policy names.
/// </summary>
public sealed class EnclaveSampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyhaven-enclave-").FullName;

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task The_parent_relays_a_data_key_that_only_the_enclave_named_in_the_key_policy_can_open()
    {
        Assert.Equal(0, (await KeyhavenCommand.RunAsync("enclave", "init", "--dir", P("root"))).ExitCode);
        Directory.CreateDirectory(P("app/config"));
        File.WriteAllText(P("app/main.py"), "print('the enclave application')\n");
        File.WriteAllText(P("app/config/rules.json"), "{\"allow\":\"sum\"}\n");

        // What a key policy names: the PCRs `keyhaven enclave measure` prints for exactly these files.
        var measured = await KeyhavenCommand.RunAsync("enclave", "measure", "--app", P("app"));
        Assert.True(measured.ExitCode == 0, measured.Stderr);
        var image = JsonDocument.Parse(measured.Stdout).RootElement.GetProperty("ImageSha384").GetString()!;
        Assert.Matches("^[0-9a-f]{96}$", image);

        await using var server = await KeyhavenProcess.StartAsync(P("data"), "--trust-dev-attestation-root", P("root/dev-attestation-root.pem"));
        using var kms = Client(server);
        var account = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Policy = PolicyReleasingTo(account, image) })).KeyMetadata.KeyId;

        // The data owner encrypts a record under a fresh data key and keeps only the encrypted data key.
        var record = RandomNumberGenerator.GetBytes(1000);
        var dataKey = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256 });
        File.WriteAllBytes(P("key.blob"), dataKey.CiphertextBlob.ToArray());
        File.WriteAllBytes(P("record.enc"), Seal(dataKey.Plaintext.ToArray(), record));

        var parentEnvironment = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = server.CredentialsPath, ["AWS_PROFILE"] = "keyhaven", ["AWS_REGION"] = "us-east-1" };
        string[] Parent(string socket) => ["enclave", "parent", "--socket", socket, "--ciphertext-blob", P("key.blob"), "--data", P("record.enc"), "--endpoint-url", server.Endpoint];

        await using (var enclave = await EnclaveProcess.StartAsync(P("root"), P("app"), P("enclave.sock"), "sample"))
        {
            Assert.Contains(image, enclave.Output);
            Assert.Contains("WARNING: a DEVELOPMENT enclave", enclave.Output);
            var relayed = await KeyhavenBinaryCommand.RunAsync(null, parentEnvironment, Parent(P("enclave.sock")));
            Assert.True(relayed.ExitCode == 0, relayed.Stderr + enclave.Output);
            var answer = JsonDocument.Parse(relayed.Stdout).RootElement;
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(record)), answer.GetProperty("plaintext_sha256").GetString());
            Assert.Equal(record.Length, answer.GetProperty("plaintext_length").GetInt32());
            Assert.Equal(0, await enclave.TerminateAsync());
            Assert.False(File.Exists(P("enclave.sock")));
        }

        // One changed file is another image: KMS refuses that enclave the data key.
        File.AppendAllText(P("app/config/rules.json"), " ");
        await using (var tampered = await EnclaveProcess.StartAsync(P("root"), P("app"), P("tampered.sock"), "sample"))
        {
            Assert.DoesNotContain(image, tampered.Output);
            var refused = await KeyhavenBinaryCommand.RunAsync(null, parentEnvironment, Parent(P("tampered.sock")));
            Assert.Equal(1, refused.ExitCode);
            Assert.StartsWith("AccessDeniedException:", refused.Stderr);
        }

        // The audit trail says which image received the key.
        Assert.Equal(0, await server.TerminateAsync());
        var trail = await KeyhavenCommand.RunAsync("audit", "query", "--data", P("data"), "--event-name", "Decrypt", "--json");
        Assert.True(trail.ExitCode == 0, trail.Stderr);
        Assert.Contains(image, trail.Stdout);
    }

    private static AmazonKeyManagementServiceClient Client(KeyhavenProcess server)
    {
        var lines = File.ReadAllLines(server.CredentialsPath).Select(l => l.Split('=', 2, StringSplitOptions.TrimEntries)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(lines["aws_access_key_id"], lines["aws_secret_access_key"]),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint, AuthenticationRegion = "us-east-1" });
    }

    /// <summary>The account may administer the key, but Decrypt goes only to a Recipient whose image is <paramref name="imageSha384"/>.</summary>
    private static string PolicyReleasingTo(string account, string imageSha384) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new object[]
        {
            new { Sid = "Admin", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{account}:root" }, Action = "kms:*", Resource = "*" },
            new
            {
                Sid = "DecryptOnlyInTheEnclave", Effect = "Deny", Principal = new { AWS = "*" }, Action = "kms:Decrypt", Resource = "*",
                Condition = new Dictionary<string, object> { ["StringNotEqualsIgnoreCase"] = new Dictionary<string, string> { ["kms:RecipientAttestation:ImageSha384"] = imageSha384 } },
            },
        },
    });

    /// <summary>nonce (12) | ciphertext | tag (16), AES-256-GCM: the sample's data format.</summary>
    private static byte[] Seal(byte[] key, byte[] plaintext)
    {
        var sealedData = new byte[12 + plaintext.Length + 16];
        RandomNumberGenerator.Fill(sealedData.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(sealedData.AsSpan(0, 12), plaintext, sealedData.AsSpan(12, plaintext.Length), sealedData.AsSpan(12 + plaintext.Length));
        CryptographicOperations.ZeroMemory(key);
        return sealedData;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
