using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Materials;

/// <summary>spec: framework/required-encryption-context-cmm.md</summary>
public sealed class RequiredEncryptionContextTests
{
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "t1", ["purpose"] = "backup" };

    [Fact]
    public void Required_keys_are_authenticated_but_not_stored()
    {
        var client = new EncryptionClient();
        var cmm = new RequiredEncryptionContextCryptographicMaterialsManager(Keys.Aes(), ["tenant"]);
        var message = client.Encrypt(Keys.Plaintext(100), cmm, new EncryptOptions { EncryptionContext = Context }).Ciphertext;
        Assert.True(message.AsSpan().IndexOf("purpose"u8) > 0);
        Assert.True(message.AsSpan().IndexOf("tenant"u8) < 0);

        var result = client.Decrypt(message, cmm, new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "t1" } });
        Assert.Equal(Keys.Plaintext(100), result.Plaintext);
        Assert.Equal("t1", result.EncryptionContext["tenant"]);

        // The default CMM accepts the message too when the caller reproduces the pair.
        Assert.Equal(Keys.Plaintext(100), client.Decrypt(message, Keys.Aes(), new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "t1" } }).Plaintext);
        Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.Aes(), new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "t2" } }));
        Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.Aes()));
    }

    [Fact]
    public void Missing_required_keys_are_refused_on_encrypt_and_decrypt()
    {
        var client = new EncryptionClient();
        var cmm = new RequiredEncryptionContextCryptographicMaterialsManager(Keys.Aes(), ["tenant"]);
        var encrypt = Assert.Throws<EncryptionSdkException>(() => client.Encrypt(Keys.Plaintext(1), cmm, new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["purpose"] = "x" } }));
        Assert.Equal(EncryptionSdkErrorReason.EncryptionContextMismatch, encrypt.Reason);

        var message = client.Encrypt(Keys.Plaintext(1), cmm, new EncryptOptions { EncryptionContext = Context }).Ciphertext;
        var decrypt = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, cmm));
        Assert.Equal(EncryptionSdkErrorReason.EncryptionContextMismatch, decrypt.Reason);
    }
}
