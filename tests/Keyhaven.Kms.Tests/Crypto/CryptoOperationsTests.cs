using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Crypto;

/// <summary>Encrypt and Decrypt through the domain over real storage.</summary>
public sealed partial class CryptoOperationsTests : IAsyncLifetime
{
    private static readonly EncryptionContext Context = EncryptionContext.From(new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "test" });
    private KmsHarness _kms = null!;

    private CryptoOperations Crypto => _kms.Domain.Crypto;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    private static async Task<KmsErrorCode> ErrorOf(Func<Task> action) => (await Assert.ThrowsAsync<KmsException>(action)).Code;

    [Fact]
    public async Task EncryptThenDecrypt_ReturnsThePlaintextAndTheKey()
    {
        var key = await _kms.CreateKeyAsync();
        var plaintext = RandomNumberGenerator.GetBytes(100);

        var encrypted = await Crypto.EncryptAsync(Caller, key.Id.Value, plaintext, Context, "SYMMETRIC_DEFAULT", None);
        var decrypted = await Crypto.DecryptAsync(Caller, encrypted.CiphertextBlob, Context, null, null, None);

        Assert.Equal(plaintext, decrypted.Plaintext);
        Assert.Equal(key.Id, decrypted.Key.Id);
        Assert.Equal(-1, encrypted.CiphertextBlob!.AsSpan().IndexOf(plaintext));
    }

    [Fact]
    public async Task Decrypt_WithTheRightKeyIdOrArn_Succeeds()
    {
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, (await Crypto.DecryptAsync(Caller, blob, EncryptionContext.Empty, key.Id.Value, null, None)).Plaintext);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await Crypto.DecryptAsync(Caller, blob, EncryptionContext.Empty, key.Arn, null, None)).Plaintext);
    }

    [Fact]
    public async Task Decrypt_NamingAnotherKey_FailsWithIncorrectKey()
    {
        // AWS KMS: a KeyId that is not the key that encrypted the ciphertext gives IncorrectKeyException.
        var key = await _kms.CreateKeyAsync();
        var other = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1]);

        Assert.Equal(KmsErrorCode.IncorrectKeyException,
            await ErrorOf(() => Crypto.DecryptAsync(Caller, blob, EncryptionContext.Empty, other.Id.Value, null, None).AsTask()));
    }

    [Fact]
    public async Task Decrypt_WithAnotherEncryptionContext_FailsWithInvalidCiphertext()
    {
        // AWS KMS: decryption needs exactly the encryption context used to encrypt (InvalidCiphertextException).
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1, 2, 3], Context);
        var variants = new[]
        {
            EncryptionContext.Empty,
            EncryptionContext.From(new Dictionary<string, string> { ["tenant"] = "acme" }),
            EncryptionContext.From(new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "Test" }),
            EncryptionContext.From(new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "test", ["extra"] = "" }),
            EncryptionContext.From(new Dictionary<string, string> { ["tenantp"] = "acme", ["urpose"] = "test" }),
        };

        foreach (var context in variants)
        {
            Assert.Equal(KmsErrorCode.InvalidCiphertextException, await ErrorOf(() => _kms.DecryptAsync(blob, context)));
        }

        Assert.Equal(new byte[] { 1, 2, 3 }, await _kms.DecryptAsync(blob, Context));
    }

    [Fact]
    public async Task Decrypt_WithAContextWhenNoneWasUsed_FailsWithInvalidCiphertext()
    {
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1]);

        Assert.Equal(KmsErrorCode.InvalidCiphertextException, await ErrorOf(() => _kms.DecryptAsync(blob, Context)));
    }

    [Fact]
    public async Task ACiphertextRelabelledAsAnotherKeys_FailsWithInvalidCiphertext()
    {
        // The header (key id) is associated data: pointing a blob at another key of the caller does not decrypt it.
        var key = await _kms.CreateKeyAsync();
        var other = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1, 2, 3]);
        var idOffset = 2 + key.Region.Length + 12 + 1;
        System.Text.Encoding.ASCII.GetBytes(other.Id.Value, blob.AsSpan(idOffset));

        Assert.Equal(KmsErrorCode.InvalidCiphertextException, await ErrorOf(() => _kms.DecryptAsync(blob)));
    }

    [Fact]
    public async Task Decrypt_InAnotherRegion_FailsWithInvalidCiphertext()
    {
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1]);
        var elsewhere = Caller with { Region = "eu-west-1" };

        Assert.Equal(KmsErrorCode.InvalidCiphertextException,
            await ErrorOf(() => Crypto.DecryptAsync(elsewhere, blob, EncryptionContext.Empty, null, null, None).AsTask()));
    }

    [Fact]
    public async Task Decrypt_OfBytesThatAreNotOurs_FailsWithInvalidCiphertext()
    {
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, await ErrorOf(() => _kms.DecryptAsync(RandomNumberGenerator.GetBytes(200))));
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, await ErrorOf(() => _kms.DecryptAsync([1])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    public async Task Encrypt_RefusesPlaintextOutside1To4096Bytes(int length)
    {
        // AWS KMS: Plaintext is 1 to 4096 bytes (ValidationException).
        var key = await _kms.CreateKeyAsync();

        Assert.Equal(KmsErrorCode.ValidationException, await ErrorOf(() => _kms.EncryptAsync(key, new byte[length])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6145)]
    public async Task Decrypt_RefusesCiphertextOutside1To6144Bytes(int length)
    {
        // AWS KMS: CiphertextBlob is 1 to 6144 bytes (ValidationException).
        Assert.Equal(KmsErrorCode.ValidationException, await ErrorOf(() => _kms.DecryptAsync(new byte[length])));
    }

    [Fact]
    public async Task Encrypt_WithAnAsymmetricAlgorithm_FailsWithInvalidKeyUsage()
    {
        // AWS KMS: symmetric keys accept only SYMMETRIC_DEFAULT (InvalidKeyUsageException).
        var key = await _kms.CreateKeyAsync();

        Assert.Equal(KmsErrorCode.InvalidKeyUsageException,
            await ErrorOf(() => Crypto.EncryptAsync(Caller, key.Id.Value, [1], EncryptionContext.Empty, "RSAES_OAEP_SHA_256", None).AsTask()));
    }

    [Fact]
    public async Task ADisabledKey_CannotEncryptOrDecrypt()
    {
        // AWS KMS: a disabled key cannot be used in cryptographic operations (DisabledException).
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1]);
        await _kms.Domain.KeyManager.DisableAsync(Caller, key.Id.Value, None);

        Assert.Equal(KmsErrorCode.DisabledException, await ErrorOf(() => _kms.EncryptAsync(key, [1])));
        Assert.Equal(KmsErrorCode.DisabledException, await ErrorOf(() => _kms.DecryptAsync(blob)));

        await _kms.Domain.KeyManager.EnableAsync(Caller, key.Id.Value, None);
        Assert.Equal(new byte[] { 1 }, await _kms.DecryptAsync(blob));
    }

    [Fact]
    public async Task AKeyPendingDeletion_CannotEncryptOrDecrypt()
    {
        // AWS KMS: a key pending deletion cannot be used (KMSInvalidStateException).
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1]);
        await _kms.Domain.KeyManager.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, await ErrorOf(() => _kms.EncryptAsync(key, [1])));
        Assert.Equal(KmsErrorCode.KMSInvalidStateException, await ErrorOf(() => _kms.DecryptAsync(blob)));
    }

    [Fact]
    public async Task AnotherAccountsCaller_CannotEncryptWithAKeyIdResolvedInTheirOwnAccount()
    {
        // AWS KMS: a bare key id is looked up in the caller's account and region.
        var key = await _kms.CreateKeyAsync();
        var stranger = new KmsCaller(AccountId.Parse("444455556666"), "us-east-1", "arn:aws:iam::444455556666:root");

        Assert.Equal(KmsErrorCode.NotFoundException,
            await ErrorOf(() => Crypto.EncryptAsync(stranger, key.Id.Value, [1], EncryptionContext.Empty, null, None).AsTask()));
    }

    [Fact]
    public async Task GenerateDataKey_ReturnsAPlaintextThatTheBlobDecryptsTo()
    {
        var key = await _kms.CreateKeyAsync();

        var result = await Crypto.GenerateDataKeyAsync(Caller, key.Id.Value, "AES_256", null, Context, withoutPlaintext: false, None);

        Assert.Equal(32, result.Plaintext!.Length);
        Assert.Equal(result.Plaintext, await _kms.DecryptAsync(result.CiphertextBlob!, Context));
    }

    [Fact]
    public async Task ReEncrypt_MovesACiphertextToAnotherKeyAndContext()
    {
        var source = await _kms.CreateKeyAsync();
        var destination = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(source, [7, 8, 9], Context);

        var result = await Crypto.ReEncryptAsync(Caller, blob, Context, null, null, destination.Id.Value, EncryptionContext.Empty, null, None);

        Assert.Equal(destination.Id, result.Key.Id);
        Assert.Equal(source.Id, result.SourceKey!.Id);
        Assert.True(CiphertextBlob.TryParse(result.CiphertextBlob, out var parsed));
        Assert.Equal(destination.Id, parsed.KeyId);
        Assert.Equal(new byte[] { 7, 8, 9 }, await _kms.DecryptAsync(result.CiphertextBlob!));
    }
}
