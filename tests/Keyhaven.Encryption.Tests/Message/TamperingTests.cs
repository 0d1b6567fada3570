using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Message;

/// <summary>
/// Every changed byte and every truncation is rejected with a clear reason: this covers every header field
/// (version, type, suite, message id, context, data keys, content type, reserved, IV length, frame length,
/// commitment, header IV and tag), every frame field and the footer.
/// </summary>
public sealed class TamperingTests
{
    public static TheoryData<AlgorithmSuiteId, int> Cases() => new()
    {
        { AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, 64 },
        { AlgorithmSuiteId.AesGcm256HkdfSha512Commit, 64 },
        { AlgorithmSuiteId.AesGcm256HkdfSha384EcdsaP384, 64 },
        { AlgorithmSuiteId.AesGcm128HkdfSha256EcdsaP256, 64 },
        { AlgorithmSuiteId.AesGcm128NoKdf, 64 },
        { AlgorithmSuiteId.AesGcm256HkdfSha512Commit, 0 },
    };

    private static (EncryptionClient Client, byte[] Message, byte[] Plaintext) Encrypt(AlgorithmSuiteId id, int frameLength)
    {
        var client = new EncryptionClient(new EncryptionClientOptions
        {
            CommitmentPolicy = AlgorithmSuite.FromId(id).IsCommitting ? CommitmentPolicy.RequireEncryptRequireDecrypt : CommitmentPolicy.ForbidEncryptAllowDecrypt,
        });
        var plaintext = Keys.Plaintext(150); // three frames of 64: two regular, one final
        var message = client.Encrypt(plaintext, Keys.Aes(), new EncryptOptions { Suite = id, FrameLength = frameLength, EncryptionContext = new Dictionary<string, string> { ["k"] = "v" } }).Ciphertext;
        return (client, message, plaintext);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_flipped_bit_is_rejected(AlgorithmSuiteId id, int frameLength)
    {
        var (client, message, plaintext) = Encrypt(id, frameLength);
        Assert.Equal(plaintext, client.Decrypt(message, Keys.Aes()).Plaintext);
        var keyring = Keys.Aes();
        for (var i = 0; i < message.Length; i++)
        {
            foreach (var bit in new[] { 0x01, 0x80 })
            {
                var tampered = (byte[])message.Clone();
                tampered[i] ^= (byte)bit;
                var e = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(tampered, keyring));
                Assert.False(string.IsNullOrEmpty(e.Message));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_truncation_and_any_trailing_byte_is_rejected(AlgorithmSuiteId id, int frameLength)
    {
        var (client, message, _) = Encrypt(id, frameLength);
        var keyring = Keys.Aes();
        for (var length = 0; length < message.Length; length++)
        {
            var e = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message.AsMemory(0, length), keyring));
            Assert.Contains(e.Reason, new[] { EncryptionSdkErrorReason.TruncatedMessage, EncryptionSdkErrorReason.MalformedMessage, EncryptionSdkErrorReason.SignatureInvalid });
        }

        var trailing = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message.Concat(new byte[] { 0 }).ToArray(), keyring));
        Assert.Equal(EncryptionSdkErrorReason.MalformedMessage, trailing.Reason);
    }

    [Fact]
    public void Changed_fields_give_the_expected_reasons()
    {
        var (client, message, _) = Encrypt(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, 64);
        var keyring = Keys.Aes();
        EncryptionSdkErrorReason ReasonAfter(Action<byte[]> change)
        {
            var copy = (byte[])message.Clone();
            change(copy);
            return Assert.Throws<EncryptionSdkException>(() => client.Decrypt(copy, keyring)).Reason;
        }

        Assert.Equal(EncryptionSdkErrorReason.MalformedMessage, ReasonAfter(m => m[0] = 0x03)); // version
        Assert.Equal(EncryptionSdkErrorReason.MalformedMessage, ReasonAfter(m => m[2] = 0x99)); // unknown suite
        Assert.Equal(EncryptionSdkErrorReason.MalformedMessage, ReasonAfter(m => m[1] = 0x00)); // 0x0078, a suite of the other format
        Assert.Equal(EncryptionSdkErrorReason.CommitmentMismatch, ReasonAfter(m => m[5] ^= 1)); // message id changes the commitment
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, ReasonAfter(m => m[^5] ^= 1)); // inside the signature
        Assert.Equal(EncryptionSdkErrorReason.TruncatedMessage, Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message.AsMemory(0, message.Length - 1), keyring)).Reason);
    }
}
