using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Attestation.Development;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.Recipients;

/// <summary>Recipient on GenerateDataKeyPair (the private key) and DeriveSharedSecret (the shared secret).</summary>
public sealed partial class RecipientTests
{
    /// <summary>A key policy letting the account's root do anything, but releasing <paramref name="actions"/> only to the image <paramref name="pcr0"/>.</summary>
    private static string OnlyImage(string account, byte[] pcr0, params string[] actions) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new object[]
        {
            new { Sid = "Admin", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{account}:root" }, Action = "kms:*", Resource = "*" },
            new
            {
                Sid = "OnlyThisImage", Effect = "Deny", Principal = new { AWS = "*" }, Action = actions, Resource = "*",
                Condition = new Dictionary<string, object> { ["StringNotEqualsIgnoreCase"] = new Dictionary<string, string> { ["kms:RecipientAttestation:ImageSha384"] = Convert.ToHexString(pcr0) } },
            },
        },
    });

    [Fact]
    public async Task GenerateDataKeyPair_with_a_Recipient_returns_the_private_key_only_sealed_to_the_enclave()
    {
        using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await TestServer.StartAsync(trustedDevelopmentAttestationRoots: [root.Fingerprint]);
        using var attestor = new DevelopmentAttestor(root, "i-key-pair-test", server.Clock.GetUtcNow());
        using var enclaveKey = RSA.Create(2048);
        var trusted = Image(1);
        using var kms = server.Client();
        var account = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Policy = OnlyImage(account, trusted[0], "kms:GenerateDataKeyPair") })).KeyMetadata.KeyId;
        var good = attestor.Attest(trusted, server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo());

        var pair = await kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256, Recipient = Recipient(good) });
        Assert.True(pair.PrivateKeyPlaintext is null || pair.PrivateKeyPlaintext.Length == 0);
        var privateKey = Open(pair.CiphertextForRecipient, enclaveKey);
        using (var opened = ECDsa.Create())
        {
            opened.ImportPkcs8PrivateKey(privateKey, out var read);
            Assert.Equal(privateKey.Length, read);
            Assert.Equal(pair.PublicKey.ToArray(), opened.ExportSubjectPublicKeyInfo());
        }

        // The encrypted copy of the private key decrypts (to the enclave again) to the same key.
        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, Recipient = Recipient(good) });
        Assert.Equal(privateKey, Open(decrypted.CiphertextForRecipient, enclaveKey));

        // Another image is refused; without a Recipient the condition key is absent, so the policy refuses too.
        await DeniedAsync(() => kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest
        {
            KeyId = key, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256, Recipient = Recipient(attestor.Attest(Image(2), server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo())),
        }));
        await DeniedAsync(() => kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 }));

        // GenerateDataKeyPairWithoutPlaintext has no Recipient in the KMS model: it returns no private key either way.
        var withoutPlaintext = await kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key, KeyPairSpec = DataKeyPairSpec.RSA_2048 });
        Assert.NotEmpty(withoutPlaintext.PrivateKeyCiphertextBlob.ToArray());
    }

    [Fact]
    public async Task DeriveSharedSecret_with_a_Recipient_returns_the_secret_only_sealed_to_the_enclave()
    {
        using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await TestServer.StartAsync(trustedDevelopmentAttestationRoots: [root.Fingerprint]);
        using var attestor = new DevelopmentAttestor(root, "i-shared-secret-test", server.Clock.GetUtcNow());
        using var enclaveKey = RSA.Create(3072);
        var trusted = Image(1);
        using var kms = server.Client();
        var account = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest
        {
            KeySpec = KeySpec.ECC_NIST_P384, KeyUsage = KeyUsageType.KEY_AGREEMENT, Policy = OnlyImage(account, trusted[0], "kms:DeriveSharedSecret"),
        })).KeyMetadata.KeyId;
        using var kmsSide = ECDiffieHellman.Create();
        kmsSide.ImportSubjectPublicKeyInfo((await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key })).PublicKey.ToArray(), out _);
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        DeriveSharedSecretRequest Request(byte[]? document) => new()
        {
            KeyId = key, KeyAgreementAlgorithm = KeyAgreementAlgorithmSpec.ECDH, PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
            Recipient = document is null ? null : Recipient(document),
        };

        var derived = await kms.DeriveSharedSecretAsync(Request(attestor.Attest(trusted, server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo())));
        Assert.True(derived.SharedSecret is null || derived.SharedSecret.Length == 0);
        Assert.Equal(peer.DeriveRawSecretAgreement(kmsSide.PublicKey), Open(derived.CiphertextForRecipient, enclaveKey));

        await DeniedAsync(() => kms.DeriveSharedSecretAsync(Request(attestor.Attest(Image(2), server.Clock.GetUtcNow(), enclaveKey.ExportSubjectPublicKeyInfo()))));
        await DeniedAsync(() => kms.DeriveSharedSecretAsync(Request(null)));

        // A document without a public key has nothing to seal to: refused before anything runs.
        var keyless = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            kms.DeriveSharedSecretAsync(Request(attestor.Attest(trusted, server.Clock.GetUtcNow()))));
        Assert.Equal("ValidationException", keyless.ErrorCode);
    }
}
