using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext through the AWS SDK.</summary>
public sealed class DataKeyPairTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_NIST_P521")]
    [InlineData("ECC_SECG_P256K1")]
    [InlineData("ECC_NIST_EDWARDS25519")]
    public async Task The_private_key_matches_the_public_key_and_its_ciphertext_decrypts_to_it(string spec)
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var context = new Dictionary<string, string> { ["purpose"] = "pair" };
        var pair = await Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = spec, EncryptionContext = context });
        Assert.Equal(spec, pair.KeyPairSpec.Value);
        Assert.Equal(key.Arn, pair.KeyId);
        Assert.Equal(key.CurrentKeyMaterialId, pair.KeyMaterialId);
        var privateKey = pair.PrivateKeyPlaintext.ToArray();

        if (spec.StartsWith("RSA", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(privateKey, out _);
            Assert.Equal(pair.PublicKey.ToArray(), rsa.ExportSubjectPublicKeyInfo());
        }
        else if (spec != "ECC_NIST_EDWARDS25519")
        {
            using var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(privateKey, out _);
            Assert.Equal(pair.PublicKey.ToArray(), ec.ExportSubjectPublicKeyInfo());
        }
        else
        {
            Assert.Equal(48, privateKey.Length); // RFC 8410 PKCS#8: 16 bytes of structure around the 32-byte seed
            Assert.Equal(44, pair.PublicKey.Length);
        }

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = context });
        Assert.Equal(privateKey, decrypted.Plaintext.ToArray());

        var withoutPlaintext = await Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key.KeyId, KeyPairSpec = spec });
        Assert.NotEqual(pair.PublicKey.ToArray(), withoutPlaintext.PublicKey.ToArray());
        Assert.NotEmpty((await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = withoutPlaintext.PrivateKeyCiphertextBlob })).Plaintext.ToArray());
    }

    [Fact]
    public async Task Only_symmetric_encryption_keys_and_pair_specs_of_the_model_are_accepted()
    {
        var signing = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var symmetric = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = signing.KeyId, KeyPairSpec = "ECC_NIST_P256" }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric.KeyId, KeyPairSpec = "ML_DSA_44" }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric.KeyId }));
        await Assert.ThrowsAsync<DryRunOperationException>(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest
        {
            KeyId = symmetric.KeyId, KeyPairSpec = "ECC_NIST_P256", DryRun = true,
        }));
    }
}
