using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom through the AWS SDK.</summary>
public sealed class CryptoTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private async Task<string> NewKeyAsync() => (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4096)]
    public async Task Decrypt_returns_what_Encrypt_was_given_without_naming_the_key(int length)
    {
        var keyId = await NewKeyAsync();
        var plaintext = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) });
        Assert.EndsWith(keyId, encrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, encrypted.EncryptionAlgorithm);

        // AWS KMS: for symmetric keys the ciphertext names its key, so KeyId is optional on Decrypt.
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(encrypted.KeyId, decrypted.KeyId);
    }

    [Fact]
    public async Task Encrypting_the_same_plaintext_twice_gives_different_ciphertexts()
    {
        var keyId = await NewKeyAsync();
        var first = await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("same") });
        var second = await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("same") });
        Assert.NotEqual(first.CiphertextBlob.ToArray(), second.CiphertextBlob.ToArray());
    }

    [Fact]
    public async Task The_encryption_context_must_match_exactly_to_decrypt()
    {
        var keyId = await NewKeyAsync();
        var context = new Dictionary<string, string> { ["dept"] = "hr", ["purpose"] = "payroll" };
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("salary"), EncryptionContext = context }))
            .CiphertextBlob.ToArray();

        var reordered = new Dictionary<string, string> { ["purpose"] = "payroll", ["dept"] = "hr" };
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = reordered });
        Assert.Equal("salary", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));

        // AWS KMS: a missing, extra or different context pair fails with InvalidCiphertextException.
        foreach (var wrong in new Dictionary<string, string>?[]
        {
            null,
            new() { ["dept"] = "hr" },
            new() { ["dept"] = "HR", ["purpose"] = "payroll" },
            new() { ["dept"] = "hr", ["purpose"] = "payroll", ["extra"] = "x" },
        })
        {
            await Assert.ThrowsAsync<InvalidCiphertextException>(() =>
                Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = wrong }));
        }
    }

    [Fact]
    public async Task A_ciphertext_with_any_byte_changed_does_not_decrypt()
    {
        var keyId = await NewKeyAsync();
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("integrity") })).CiphertextBlob.ToArray();
        // Every byte is authenticated, the names in the header included; every failure is the same opaque error.
        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            await Assert.ThrowsAsync<InvalidCiphertextException>(() =>
                Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(tampered) }));
        }

        await Assert.ThrowsAsync<InvalidCiphertextException>(() =>
            Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob[..^1]) }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() =>
            Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream([0x01, 0x02, 0x03]) }));
    }

    [Fact]
    public async Task Decrypt_with_a_KeyId_that_is_not_the_ciphertexts_key_is_IncorrectKeyException()
    {
        var keyId = await NewKeyAsync();
        var other = await NewKeyAsync();
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("x") })).CiphertextBlob;
        await Assert.ThrowsAsync<IncorrectKeyException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, KeyId = other }));
    }

    [Fact]
    public async Task Plaintext_larger_than_4096_bytes_is_refused()
    {
        var keyId = await NewKeyAsync();
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(new byte[4097]) }));
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task ReEncrypt_moves_a_ciphertext_to_another_key_and_context_without_revealing_it()
    {
        var source = await NewKeyAsync();
        var destination = await NewKeyAsync();
        var blob = (await Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = source, Plaintext = Bytes("moving"), EncryptionContext = new() { ["a"] = "1" },
        })).CiphertextBlob;

        var moved = await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = blob,
            SourceEncryptionContext = new() { ["a"] = "1" },
            DestinationKeyId = destination,
            DestinationEncryptionContext = new() { ["b"] = "2" },
        });
        Assert.EndsWith(source, moved.SourceKeyId);
        Assert.EndsWith(destination, moved.KeyId);

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = moved.CiphertextBlob, EncryptionContext = new() { ["b"] = "2" } });
        Assert.Equal("moving", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        Assert.EndsWith(destination, decrypted.KeyId);
    }

    [Fact]
    public async Task GenerateDataKey_returns_a_data_key_and_its_encrypted_copy()
    {
        var keyId = await NewKeyAsync();
        var context = new Dictionary<string, string> { ["file"] = "report.pdf" };
        var aes256 = await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = context });
        Assert.Equal(32, aes256.Plaintext.Length);
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = aes256.CiphertextBlob, EncryptionContext = context });
        Assert.Equal(aes256.Plaintext.ToArray(), decrypted.Plaintext.ToArray());

        var aes128 = await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_128 });
        Assert.Equal(16, aes128.Plaintext.Length);
        var sized = await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 64 });
        Assert.Equal(64, sized.Plaintext.Length);

        var withoutPlaintext = await Kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 });
        Assert.Equal(32, (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = withoutPlaintext.CiphertextBlob })).Plaintext.Length);
    }

    [Fact]
    public async Task GenerateDataKey_needs_exactly_one_of_KeySpec_and_NumberOfBytes()
    {
        var keyId = await NewKeyAsync();
        var both = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256, NumberOfBytes = 32 }));
        Assert.Equal("ValidationException", both.ErrorCode);
        var neither = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId }));
        Assert.Equal("ValidationException", neither.ErrorCode);
    }

    [Fact]
    public async Task GenerateRandom_returns_1_to_1024_random_bytes()
    {
        var one = await Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1 });
        Assert.Single(one.Plaintext.ToArray());
        var first = (await Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1024 })).Plaintext.ToArray();
        var second = (await Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1024 })).Plaintext.ToArray();
        Assert.Equal(1024, first.Length);
        Assert.NotEqual(first, second);
        var count = 1025;
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = count }));
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task DryRun_checks_the_request_and_answers_DryRunOperationException()
    {
        var keyId = await NewKeyAsync();
        var error = await Assert.ThrowsAsync<DryRunOperationException>(() =>
            Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("x"), DryRun = true }));
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, error.StatusCode);
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await Assert.ThrowsAsync<DisabledException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("x"), DryRun = true }));
    }

    [Fact]
    public async Task An_asymmetric_algorithm_on_a_symmetric_key_is_InvalidKeyUsageException()
    {
        var keyId = await NewKeyAsync();
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId, Plaintext = Bytes("x"), EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        }));
    }
}
