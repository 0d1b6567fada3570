using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Message;

/// <summary>decrypt(encrypt(x)) == x for every suite, frame layout and keyring.</summary>
public sealed class RoundTripTests
{
    private static readonly Dictionary<string, string> Context = new() { ["purpose"] = "test", ["tenant"] = "héllo ✓" };

    public static TheoryData<AlgorithmSuiteId> Suites() => new(AlgorithmSuite.All.Select(s => s.Id));

    private static EncryptionClient ClientFor(AlgorithmSuiteId id) => new(new EncryptionClientOptions
    {
        CommitmentPolicy = AlgorithmSuite.FromId(id).IsCommitting ? CommitmentPolicy.RequireEncryptRequireDecrypt : CommitmentPolicy.ForbidEncryptAllowDecrypt,
    });

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_suite_round_trips_framed_and_non_framed(AlgorithmSuiteId id)
    {
        var client = ClientFor(id);
        var keyring = Keys.Aes();
        foreach (var (length, frame) in new[] { (0, 64), (1, 64), (63, 64), (64, 64), (65, 64), (1000, 64), (0, 0), (1000, 0), (5000, 4096) })
        {
            var plaintext = Keys.Plaintext(length);
            var encrypted = client.Encrypt(plaintext, keyring, new EncryptOptions { Suite = id, EncryptionContext = Context, FrameLength = frame });
            Assert.Equal(id, encrypted.Suite);
            Assert.Equal((byte)(AlgorithmSuite.FromId(id).IsCommitting ? 2 : 1), encrypted.Ciphertext[0]);
            var decrypted = client.Decrypt(encrypted.Ciphertext, keyring);
            Assert.Equal(plaintext, decrypted.Plaintext);
            Assert.Equal(id, decrypted.Suite);
            Assert.Equal("héllo ✓", decrypted.EncryptionContext["tenant"]);
            Assert.Equal(AlgorithmSuite.FromId(id).IsSigning, decrypted.EncryptionContext.ContainsKey("aws-crypto-public-key"));
        }
    }

    [Theory]
    [InlineData(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384)]
    [InlineData(AlgorithmSuiteId.AesGcm128HkdfSha256EcdsaP256)]
    public void Large_signed_messages_hashed_on_a_second_thread_verify_and_reject_tampering(AlgorithmSuiteId id)
    {
        var client = ClientFor(id);
        var plaintext = Keys.Plaintext(3 * 1024 * 1024 + 17);
        var message = client.Encrypt(plaintext, Keys.Aes(), new EncryptOptions { Suite = id }).Ciphertext;
        Assert.Equal(plaintext, client.Decrypt(message, Keys.Aes()).Plaintext);
        using var stream = client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes());
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(plaintext, copy.ToArray());

        foreach (var position in new[] { message.Length / 2, message.Length - 20 })
        {
            var tampered = (byte[])message.Clone();
            tampered[position] ^= 0x10;
            Assert.Throws<EncryptionSdkException>(() => client.Decrypt(tampered, Keys.Aes()));
        }
    }

    [Fact]
    public void Default_suite_is_0578_and_0478_without_signing()
    {
        var client = new EncryptionClient();
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, client.Encrypt(Keys.Plaintext(10), Keys.Aes()).Suite);
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, client.Encrypt(Keys.Plaintext(10), Keys.Aes(), new EncryptOptions { Sign = false }).Suite);
        var forbid = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.ForbidEncryptAllowDecrypt });
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha384EcdsaP384, forbid.Encrypt(Keys.Plaintext(10), Keys.Aes()).Suite);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Raw_aes_keyrings_of_every_size_round_trip(int keyBytes)
    {
        var client = new EncryptionClient();
        var plaintext = Keys.Plaintext(300);
        var message = client.Encrypt(plaintext, Keys.Aes(keyBytes)).Ciphertext;
        Assert.Equal(plaintext, client.Decrypt(message, Keys.Aes(keyBytes)).Plaintext);
        var wrong = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.Aes(keyBytes, name: "other")));
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, wrong.Reason);
    }

    [Theory]
    [InlineData(RsaPadding.Pkcs1)]
    [InlineData(RsaPadding.OaepSha1)]
    [InlineData(RsaPadding.OaepSha256)]
    [InlineData(RsaPadding.OaepSha384)]
    [InlineData(RsaPadding.OaepSha512)]
    public void Raw_rsa_keyring_encrypts_with_the_public_key_and_decrypts_with_the_private_key(RsaPadding padding)
    {
        var client = new EncryptionClient();
        var plaintext = Keys.Plaintext(300);
        var message = client.Encrypt(plaintext, Keys.RsaPublic(padding)).Ciphertext;
        Assert.Equal(plaintext, client.Decrypt(message, Keys.RsaPrivate(padding)).Plaintext);
        var publicOnly = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.RsaPublic(padding)));
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, publicOnly.Reason);
        var otherPadding = padding == RsaPadding.Pkcs1 ? RsaPadding.OaepSha256 : RsaPadding.Pkcs1;
        Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.RsaPrivate(otherPadding)));
    }

    [Fact]
    public void Multi_keyring_wraps_for_each_keyring_and_any_one_decrypts()
    {
        var client = new EncryptionClient();
        var multi = new MultiKeyring(Keys.Aes(32, "a"), [Keys.Aes(16, "b"), Keys.RsaPublic(RsaPadding.OaepSha256)]);
        var plaintext = Keys.Plaintext(5000);
        var message = client.Encrypt(plaintext, multi).Ciphertext;
        Assert.Equal(plaintext, client.Decrypt(message, Keys.Aes(32, "a")).Plaintext);
        Assert.Equal(plaintext, client.Decrypt(message, Keys.Aes(16, "b")).Plaintext);
        Assert.Equal(plaintext, client.Decrypt(message, Keys.RsaPrivate(RsaPadding.OaepSha256)).Plaintext);
        Assert.Equal(plaintext, client.Decrypt(message, new MultiKeyring(null, [Keys.Aes(32, "nope"), Keys.RsaPrivate(RsaPadding.OaepSha256)])).Plaintext);
    }

    [Fact]
    public void Reproduced_context_must_match_the_stored_context()
    {
        var client = new EncryptionClient();
        var message = client.Encrypt(Keys.Plaintext(10), Keys.Aes(), new EncryptOptions { EncryptionContext = Context }).Ciphertext;
        Assert.Equal(Keys.Plaintext(10), client.Decrypt(message, Keys.Aes(), new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["purpose"] = "test" } }).Plaintext);
        var e = Assert.Throws<EncryptionSdkException>(() => client.Decrypt(message, Keys.Aes(), new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["purpose"] = "other" } }));
        Assert.Equal(EncryptionSdkErrorReason.EncryptionContextMismatch, e.Reason);
    }

    [Fact]
    public void Reserved_context_keys_are_refused()
    {
        var e = Assert.Throws<EncryptionSdkException>(() => new EncryptionClient().Encrypt(Keys.Plaintext(10), Keys.Aes(), new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["aws-crypto-x"] = "y" } }));
        Assert.Equal(EncryptionSdkErrorReason.InvalidInput, e.Reason);
    }

    [Fact]
    public void Frame_length_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncryptOptions { FrameLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncryptOptions { FrameLength = 512 * 1024 * 1024 });
    }
}
