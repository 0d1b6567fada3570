using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Attestation.Development;
using Keyhaven.Audit.Reading;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.Recipients;

/// <summary>
/// Recipient through AWSSDK.KeyManagementService, with a development enclave (a development root the server was told to
/// trust, an RSA key the test holds): the response carries CiphertextForRecipient that only the enclave opens, never
/// the plaintext, and key policies decide on the enclave's measurements.
/// </summary>
public sealed partial class RecipientTests
{
    private static Dictionary<int, byte[]> Image(byte seed) => Enumerable.Range(0, 3).ToDictionary(i => i, i => SHA384.HashData([seed, (byte)i]));

    private static Amazon.KeyManagementService.Model.RecipientInfo Recipient(byte[] document) => new() { AttestationDocument = new MemoryStream(document), KeyEncryptionAlgorithm = KeyEncryptionMechanism.RSAES_OAEP_SHA_256 };

    private static byte[] Open(MemoryStream envelope, RSA enclaveKey)
    {
        var cms = new EnvelopedCms();
        cms.Decode(envelope.ToArray());
        cms.Decrypt(cms.RecipientInfos[0], enclaveKey);
        return cms.ContentInfo.Content;
    }

    [Fact]
    public async Task Only_the_attested_image_named_in_the_key_policy_gets_the_data_key_and_only_sealed_to_its_own_key()
    {
        using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await TestServer.StartAsync(trustedDevelopmentAttestationRoots: [root.Fingerprint]);
        using var attestor = new DevelopmentAttestor(root, "i-recipient-test", server.Clock.GetUtcNow());
        using var enclaveKey = RSA.Create(2048);
        var trusted = Image(1);
        using var kms = server.Client();
        var account = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var policy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Sid = "Admin", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{account}:root" }, Action = "kms:*", Resource = "*" },
                new
                {
                    Sid = "OnlyThisImageDecrypts", Effect = "Deny", Principal = new { AWS = "*" }, Action = new[] { "kms:Decrypt", "kms:GenerateDataKey" }, Resource = "*",
                    Condition = new Dictionary<string, object> { ["StringNotEqualsIgnoreCase"] = new Dictionary<string, string> { ["kms:RecipientAttestation:ImageSha384"] = Convert.ToHexString(trusted[0]) } },
                },
            },
        });
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata.KeyId;
        var good = attestor.Attest(trusted, server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo());
        var other = attestor.Attest(Image(2), server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo());

        var dataKey = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, Recipient = Recipient(good) });
        Assert.Null(dataKey.Plaintext);
        var plaintextKey = Open(dataKey.CiphertextForRecipient, enclaveKey);
        Assert.Equal(32, plaintextKey.Length);

        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob, Recipient = Recipient(good) });
        Assert.Null(decrypted.Plaintext);
        Assert.Equal(plaintextKey, Open(decrypted.CiphertextForRecipient, enclaveKey));

        using var stranger = RSA.Create(2048);
        Assert.ThrowsAny<CryptographicException>(() => Open(decrypted.CiphertextForRecipient, stranger));

        // Another image is refused by the key policy, and no Recipient at all is refused too (the condition key is absent).
        await DeniedAsync(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob, Recipient = Recipient(other) }));
        await DeniedAsync(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob }));

        var random = await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16, Recipient = Recipient(good) });
        Assert.Null(random.Plaintext);
        Assert.Equal(16, Open(random.CiphertextForRecipient, enclaveKey).Length);

        StoredAuditEvent? recorded = null;
        await foreach (var stored in server.Server.AuditReader.ReadAsync())
        {
            if (stored.Event.EventName == "Decrypt" && stored.Event.ErrorCode is null)
            {
                recorded = stored;
            }
        }

        Assert.Contains(Convert.ToHexStringLower(trusted[0]), System.Text.Encoding.UTF8.GetString(recorded!.Json.Span));
    }

    [Fact]
    public async Task Documents_that_do_not_verify_or_come_from_an_untrusted_root_are_refused_before_anything_runs()
    {
        using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = Bytes("secret") })).CiphertextBlob;
        using var attestor = new DevelopmentAttestor(root, "i-untrusted", server.Clock.GetUtcNow());
        using var enclaveKey = RSA.Create(2048);
        var document = attestor.Attest(Image(1), server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo());

        // This server was not told to trust the development root.
        var untrusted = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, Recipient = Recipient(document) }));
        Assert.Equal("ValidationException", untrusted.ErrorCode);
        Assert.Contains("UntrustedRoot", untrusted.Message);

        var garbage = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, Recipient = Recipient([1, 2, 3]) }));
        Assert.Equal("ValidationException", garbage.ErrorCode);
    }

    [Fact]
    public async Task A_document_whose_public_key_is_not_an_RSA_key_of_at_least_2048_bits_is_refused_before_anything_runs()
    {
        using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await TestServer.StartAsync(trustedDevelopmentAttestationRoots: [root.Fingerprint]);
        using var attestor = new DevelopmentAttestor(root, "i-not-rsa", server.Clock.GetUtcNow());
        using var kms = server.Client(maxErrorRetry: 0);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = Bytes("secret") })).CiphertextBlob;
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var smallKey = RSA.Create(1024);

        // docs/attestation.md: the key the response would be sealed to is checked with the document, before the operation.
        foreach (var publicKey in new[] { ecKey.ExportSubjectPublicKeyInfo(), smallKey.ExportSubjectPublicKeyInfo(), [0x30, 0x03, 0x02, 0x01, 0x00] })
        {
            var document = attestor.Attest(Image(1), server.Clock.GetUtcNow(), publicKey);
            blob.Position = 0;
            var refused = await FailsAsync("ValidationException", () => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, Recipient = Recipient(document) }));
            Assert.Contains("RSA", refused.Message);
            await FailsAsync("ValidationException", () => kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, Recipient = Recipient(document) }));
            await FailsAsync("ValidationException", () => kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32, Recipient = Recipient(document) }));
        }

        // Nothing ran: the key's last use is still the Encrypt.
        Assert.Equal(KeyLastUsageTrackingOperation.Encrypt, (await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key })).KeyLastUsage.Operation);
    }
}
