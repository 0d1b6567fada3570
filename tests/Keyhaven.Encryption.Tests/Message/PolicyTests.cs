using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Message;

/// <summary>Commitment policies and the maximum number of encrypted data keys. spec: client-apis/client.md</summary>
public sealed class PolicyTests
{
    [Theory]
    [InlineData(CommitmentPolicy.RequireEncryptRequireDecrypt, AlgorithmSuiteId.AesGcm256HkdfSha384EcdsaP384, false)]
    [InlineData(CommitmentPolicy.RequireEncryptAllowDecrypt, AlgorithmSuiteId.AesGcm256NoKdf, false)]
    [InlineData(CommitmentPolicy.ForbidEncryptAllowDecrypt, AlgorithmSuiteId.AesGcm256HkdfSha512Commit, false)]
    [InlineData(CommitmentPolicy.ForbidEncryptAllowDecrypt, AlgorithmSuiteId.AesGcm128NoKdf, true)]
    [InlineData(CommitmentPolicy.RequireEncryptAllowDecrypt, AlgorithmSuiteId.AesGcm256HkdfSha512Commit, true)]
    public void Encrypt_obeys_the_commitment_policy(CommitmentPolicy policy, AlgorithmSuiteId suite, bool allowed)
    {
        var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = policy });
        var options = new EncryptOptions { Suite = suite };
        if (allowed)
        {
            Assert.Equal(suite, client.Encrypt(Keys.Plaintext(5), Keys.Aes(), options).Suite);
        }
        else
        {
            var e = Assert.Throws<EncryptionSdkException>(() => client.Encrypt(Keys.Plaintext(5), Keys.Aes(), options));
            Assert.Equal(EncryptionSdkErrorReason.CommitmentPolicyViolation, e.Reason);
        }
    }

    [Fact]
    public void Require_decrypt_refuses_non_committing_messages_that_allow_decrypt_accepts()
    {
        var legacy = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.ForbidEncryptAllowDecrypt });
        var message = legacy.Encrypt(Keys.Plaintext(5), Keys.Aes()).Ciphertext;
        var e = Assert.Throws<EncryptionSdkException>(() => new EncryptionClient().Decrypt(message, Keys.Aes()));
        Assert.Equal(EncryptionSdkErrorReason.CommitmentPolicyViolation, e.Reason);
        Assert.Equal(Keys.Plaintext(5), new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.RequireEncryptAllowDecrypt }).Decrypt(message, Keys.Aes()).Plaintext);
    }

    [Fact]
    public void Max_encrypted_data_keys_limits_encrypt_and_decrypt()
    {
        var three = new MultiKeyring(Keys.Aes(32, "a"), [Keys.Aes(32, "b"), Keys.Aes(32, "c")]);
        var limited = new EncryptionClient(new EncryptionClientOptions { MaxEncryptedDataKeys = 2 });
        var encrypt = Assert.Throws<EncryptionSdkException>(() => limited.Encrypt(Keys.Plaintext(5), three));
        Assert.Equal(EncryptionSdkErrorReason.TooManyEncryptedDataKeys, encrypt.Reason);

        var message = new EncryptionClient(new EncryptionClientOptions { MaxEncryptedDataKeys = 3 }).Encrypt(Keys.Plaintext(5), three).Ciphertext;
        var decrypt = Assert.Throws<EncryptionSdkException>(() => limited.Decrypt(message, Keys.Aes(32, "a")));
        Assert.Equal(EncryptionSdkErrorReason.TooManyEncryptedDataKeys, decrypt.Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncryptionClientOptions { MaxEncryptedDataKeys = 0 });
    }

    [Fact]
    public void Refusing_signed_messages_fails_right_after_the_header()
    {
        var client = new EncryptionClient();
        var signed = client.Encrypt(Keys.Plaintext(5), Keys.Aes()).Ciphertext;
        var e = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(signed, Keys.Aes(), new DecryptOptions { SignedMessages = SignedMessagePolicy.Refuse }));
        Assert.Equal(EncryptionSdkErrorReason.UnverifiedPlaintextRefused, e.Reason);
        var unsigned = client.Encrypt(Keys.Plaintext(5), Keys.Aes(), new EncryptOptions { Sign = false }).Ciphertext;
        Assert.Equal(Keys.Plaintext(5), client.Decrypt(unsigned, Keys.Aes(), new DecryptOptions { SignedMessages = SignedMessagePolicy.Refuse }).Plaintext);
    }
}
