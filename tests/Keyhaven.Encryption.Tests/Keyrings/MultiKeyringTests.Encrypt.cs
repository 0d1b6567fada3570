using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Keyrings;

/// <summary>spec: framework/multi-keyring.md#onencrypt — a generator is only given materials without a data key, and must make one.</summary>
public sealed partial class MultiKeyringTests
{
    [Fact]
    public void A_multi_keyring_with_a_generator_refuses_materials_that_already_have_a_data_key()
    {
        // The inner multi-keyring is a child: the outer generator has already made the data key.
        var nested = new MultiKeyring(Keys.Aes(), [new MultiKeyring(Keys.Aes(name: "inner"), [])]);
        var e = Assert.Throws<EncryptionSdkException>(() => Client.Encrypt(Keys.Plaintext(10), nested));
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, e.Reason);

        // Without a generator, a multi-keyring as a child wraps the existing key.
        var message = Client.Encrypt(Keys.Plaintext(10), new MultiKeyring(Keys.Aes(), [new MultiKeyring(null, [Keys.Aes(name: "inner")])])).Ciphertext;
        Assert.Equal(Keys.Plaintext(10), Client.Decrypt(message, Keys.Aes(name: "inner")).Plaintext);
    }

    [Fact]
    public void A_generator_that_makes_no_data_key_fails_the_multi_keyring()
    {
        // Before the check, the child would have generated the key itself.
        var e = Assert.Throws<EncryptionSdkException>(() => Client.Encrypt(Keys.Plaintext(10), new MultiKeyring(new NonGeneratingKeyring(), [Keys.Aes()])));
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, e.Reason);
        Assert.Contains("generator", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A faulty custom keyring: it returns from OnEncrypt without making a data key.</summary>
    private sealed class NonGeneratingKeyring : IKeyring
    {
        public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
