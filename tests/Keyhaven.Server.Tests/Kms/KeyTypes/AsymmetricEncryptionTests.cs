using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>Encrypt, Decrypt and ReEncrypt with RSA ENCRYPT_DECRYPT keys (RSAES-OAEP) through the AWS SDK.</summary>
public sealed class AsymmetricEncryptionTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_1", 214)]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256", 190)]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_1", 342)]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_256", 318)]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_256", 446)]
    public async Task Decrypt_returns_the_plaintext_up_to_the_OAEP_limit_and_refuses_one_byte_more(string spec, string algorithm, int limit)
    {
        var key = await fixture.KeyAsync(spec, "ENCRYPT_DECRYPT");
        var plaintext = RandomNumberGenerator.GetBytes(limit);
        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(plaintext), EncryptionAlgorithm = algorithm });
        Assert.Equal(algorithm, encrypted.EncryptionAlgorithm.Value);
        Assert.Equal(int.Parse(spec[4..], System.Globalization.CultureInfo.InvariantCulture) / 8, encrypted.CiphertextBlob.Length);

        // AWS KMS: an RSA ciphertext does not name its key, so Decrypt needs KeyId and the algorithm.
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = encrypted.CiphertextBlob, EncryptionAlgorithm = algorithm });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(algorithm, decrypted.EncryptionAlgorithm.Value);

        await KmsAssert.FailsAsync("ValidationException", () => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = new MemoryStream(new byte[limit + 1]), EncryptionAlgorithm = algorithm,
        }));
    }

    [Fact]
    public async Task A_ciphertext_made_with_the_public_key_decrypts_and_a_wrong_algorithm_or_missing_key_does_not()
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var publicKey = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });
        Assert.Equal(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"], publicKey.EncryptionAlgorithms);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey.PublicKey.ToArray(), out _);
        var ciphertext = rsa.Encrypt("offline"u8.ToArray(), RSAEncryptionPadding.OaepSHA256);

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.Arn, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });
        Assert.Equal("offline"u8.ToArray(), decrypted.Plaintext.ToArray());

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest
        {
            KeyId = key.KeyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
        // Without an RSA algorithm the default (SYMMETRIC_DEFAULT) does not fit the key.
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(ciphertext) }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = KmsAssert.Bytes("x") }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = KmsAssert.Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_1", EncryptionContext = new() { ["a"] = "b" },
        }));
    }

    [Fact]
    public async Task ReEncrypt_moves_an_RSA_ciphertext_to_a_symmetric_key_and_back()
    {
        var rsaKey = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var rsaBlob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = rsaKey.KeyId, Plaintext = KmsAssert.Bytes("moved"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob;

        var toSymmetric = await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = rsaBlob, SourceKeyId = rsaKey.KeyId, SourceEncryptionAlgorithm = "RSAES_OAEP_SHA_256", DestinationKeyId = symmetric.KeyId,
        });
        Assert.Equal("RSAES_OAEP_SHA_256", toSymmetric.SourceEncryptionAlgorithm.Value);
        Assert.Equal("SYMMETRIC_DEFAULT", toSymmetric.DestinationEncryptionAlgorithm.Value);

        var back = await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = toSymmetric.CiphertextBlob, DestinationKeyId = rsaKey.KeyId, DestinationEncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        });
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = rsaKey.KeyId, CiphertextBlob = back.CiphertextBlob, EncryptionAlgorithm = "RSAES_OAEP_SHA_1" });
        Assert.Equal("moved"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task An_RSA_signing_key_does_not_encrypt_and_an_RSA_encryption_key_does_not_sign()
    {
        var signing = await fixture.KeyAsync("RSA_2048", "SIGN_VERIFY");
        var encryption = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = signing.KeyId, Plaintext = KmsAssert.Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest
        {
            KeyId = encryption.KeyId, Message = KmsAssert.Bytes("x"), SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = encryption.KeyId, KeySpec = DataKeySpec.AES_256 }));
    }
}
