using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>DeriveSharedSecret (ECDH) with KEY_AGREEMENT keys through the AWS SDK.</summary>
public sealed class KeyAgreementTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("ECC_NIST_P256", 32)]
    [InlineData("ECC_NIST_P384", 48)]
    [InlineData("ECC_NIST_P521", 66)]
    public async Task Both_sides_derive_the_same_secret(string spec, int length)
    {
        var key = await fixture.KeyAsync(spec, "KEY_AGREEMENT");
        var kmsPublicKey = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });
        Assert.Equal(["ECDH"], kmsPublicKey.KeyAgreementAlgorithms);
        using var kmsSide = ECDiffieHellman.Create();
        kmsSide.ImportSubjectPublicKeyInfo(kmsPublicKey.PublicKey.ToArray(), out _);
        using var peer = ECDiffieHellman.Create(kmsSide.ExportParameters(false).Curve);

        var derived = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        });
        Assert.Equal(length, derived.SharedSecret.Length);
        Assert.Equal(peer.DeriveRawSecretAgreement(kmsSide.PublicKey), derived.SharedSecret.ToArray());
        Assert.Equal(key.Arn, derived.KeyId);
        Assert.Equal("AWS_KMS", derived.KeyOrigin.Value);
    }

    [Fact]
    public async Task A_public_key_on_another_curve_or_a_key_of_another_usage_is_refused()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        await KmsAssert.FailsAsync("ValidationException", () => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(p384.ExportSubjectPublicKeyInfo()),
        }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream([1, 2, 3]),
        }));

        var signing = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        using var p256 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = signing.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(p256.ExportSubjectPublicKeyInfo()),
        }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ECDSA_SHA_256" }));
        await Assert.ThrowsAsync<DryRunOperationException>(() => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(p256.ExportSubjectPublicKeyInfo()), DryRun = true,
        }));
    }
}
