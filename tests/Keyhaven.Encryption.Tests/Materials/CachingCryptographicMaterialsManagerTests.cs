using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Materials;

/// <summary>spec: framework/caching-cmm.md — every limit, the bypass rules, partitions, and the cache identifiers.</summary>
public sealed class CachingCryptographicMaterialsManagerTests : IDisposable
{
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "acme" };
    private readonly ManualClock _clock = new();
    private readonly LocalCryptographicMaterialsCache _cache;
    private readonly CountingKeyring _keyring = new(Keys.Aes());
    private readonly EncryptionClient _client = new();

    public CachingCryptographicMaterialsManagerTests()
    {
        _cache = new LocalCryptographicMaterialsCache(100, timeProvider: _clock);
    }

    public void Dispose() => _cache.Dispose();

    private CachingCryptographicMaterialsManager Cmm(TimeSpan? ttl = null, long limitBytes = long.MaxValue, long limitMessages = CachingCryptographicMaterialsManager.DefaultLimitMessages, string? partition = null) =>
        new(_keyring, _cache, ttl ?? TimeSpan.FromMinutes(5), partition, limitBytes, limitMessages, _clock);

    private byte[] Encrypt(ICryptographicMaterialsManager cmm, int length = 100, EncryptOptions? options = null) =>
        _client.Encrypt(Keys.Plaintext(length), cmm, options ?? new EncryptOptions { EncryptionContext = Context }).Ciphertext;

    [Fact]
    public void Messages_share_one_data_key_and_signing_key_and_decrypt_without_the_cache()
    {
        var cmm = Cmm();
        var messages = Enumerable.Range(0, 5).Select(_ => Encrypt(cmm)).ToList();

        Assert.Equal(1, _keyring.Encrypts);
        Assert.Single(messages.Select(MessageInspection.DataKeyId).Distinct());
        // spec: signed suites reuse the cached signing key: every message carries the same public key.
        Assert.Single(messages.Select(m => MessageInspection.Header(m).EncryptionContext[EncryptionContextSerializer.PublicKeyKey]).Distinct());
        Assert.Equal(5, messages.Select(m => Convert.ToHexString(MessageInspection.Header(m).MessageId)).Distinct().Count());
        foreach (var message in messages)
        {
            Assert.Equal(Keys.Plaintext(100), _client.Decrypt(message, Keys.Aes()).Plaintext);
        }
    }

    [Fact]
    public void Message_limit_bounds_the_messages_per_data_key()
    {
        var cmm = Cmm(limitMessages: 3);
        var keys = Enumerable.Range(0, 7).Select(_ => MessageInspection.DataKeyId(Encrypt(cmm))).ToList();
        Assert.Equal(3, _keyring.Encrypts);
        Assert.Equal([3, 3, 1], keys.GroupBy(k => k).Select(g => g.Count()));
    }

    [Fact]
    public void Byte_limit_bounds_the_bytes_per_data_key_and_larger_messages_bypass_the_cache()
    {
        var cmm = Cmm(limitBytes: 250);
        var keys = Enumerable.Range(0, 5).Select(_ => MessageInspection.DataKeyId(Encrypt(cmm, length: 100))).ToList();
        Assert.Equal([2, 2, 1], keys.GroupBy(k => k).Select(g => g.Count()));
        Assert.Equal(3, _keyring.Encrypts);

        // A message above the limit can never be cached: each gets its own key, and the cached entry is untouched.
        var large = Enumerable.Range(0, 2).Select(_ => MessageInspection.DataKeyId(Encrypt(cmm, length: 251))).ToList();
        Assert.Equal(5, _keyring.Encrypts);
        Assert.NotEqual(large[0], large[1]);
        Assert.Equal(keys[^1], MessageInspection.DataKeyId(Encrypt(cmm, length: 100)));
        Assert.Equal(5, _keyring.Encrypts);
    }

    [Fact]
    public void Time_to_live_expires_encryption_and_decryption_entries()
    {
        var cmm = Cmm(ttl: TimeSpan.FromSeconds(10));
        var first = Encrypt(cmm);
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(MessageInspection.DataKeyId(first), MessageInspection.DataKeyId(Encrypt(cmm)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEqual(MessageInspection.DataKeyId(first), MessageInspection.DataKeyId(Encrypt(cmm)));
        Assert.Equal(2, _keyring.Encrypts);

        _client.Decrypt(first, cmm);
        _client.Decrypt(first, cmm);
        Assert.Equal(1, _keyring.Decrypts);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Keys.Plaintext(100), _client.Decrypt(first, cmm).Plaintext);
        Assert.Equal(2, _keyring.Decrypts);
    }

    [Fact]
    public void Decryption_materials_are_cached_per_message_data_keys_and_context()
    {
        var plain = new DefaultCryptographicMaterialsManager(Keys.Aes());
        var a = Encrypt(plain);
        var b = Encrypt(plain);
        var cmm = Cmm();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Keys.Plaintext(100), _client.Decrypt(a, cmm).Plaintext);
            Assert.Equal(Keys.Plaintext(100), _client.Decrypt(b, cmm).Plaintext);
        }

        Assert.Equal(2, _keyring.Decrypts);

        // Materials checked against one reproduced context are not reused for a request with another.
        var wrong = Assert.Throws<EncryptionSdkException>(() => _client.Decrypt(a, cmm, new DecryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "other" } }));
        Assert.Equal(EncryptionSdkErrorReason.EncryptionContextMismatch, wrong.Reason);
    }

    [Fact]
    public async Task Streams_of_unknown_length_bypass_the_cache_unless_a_length_bound_is_given()
    {
        var cmm = Cmm();
        async Task<byte[]> StreamAsync(long? bound, int length)
        {
            var output = new MemoryStream();
            await using (var stream = await _client.CreateEncryptingStreamAsync(output, cmm, new EncryptOptions { EncryptionContext = Context, PlaintextLengthBound = bound }, leaveOpen: true))
            {
                await stream.WriteAsync(Keys.Plaintext(length));
                await stream.CompleteAsync();
            }

            return output.ToArray();
        }

        await StreamAsync(null, 100);
        await StreamAsync(null, 100);
        Assert.Equal(2, _keyring.Encrypts);

        var bounded = await StreamAsync(1000, 100);
        await StreamAsync(1000, 1000);
        Assert.Equal(3, _keyring.Encrypts);
        Assert.Equal(Keys.Plaintext(100), _client.Decrypt(bounded, Keys.Aes()).Plaintext);

        var beyond = await Assert.ThrowsAsync<EncryptionSdkException>(() => StreamAsync(1000, 1001));
        Assert.Equal(EncryptionSdkErrorReason.InvalidInput, beyond.Reason);
    }

    [Fact]
    public void Suites_without_a_kdf_are_never_cached()
    {
        var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.ForbidEncryptAllowDecrypt });
        var cmm = Cmm();
        var options = new EncryptOptions { Suite = AlgorithmSuiteId.AesGcm256NoKdf, EncryptionContext = Context };
        var first = client.Encrypt(Keys.Plaintext(10), cmm, options).Ciphertext;
        client.Encrypt(Keys.Plaintext(10), cmm, options);
        Assert.Equal(2, _keyring.Encrypts);
        client.Decrypt(first, cmm);
        client.Decrypt(first, cmm);
        Assert.Equal(2, _keyring.Decrypts);
    }

    [Fact]
    public void Entries_are_shared_only_within_a_partition_and_a_context()
    {
        Encrypt(Cmm(partition: "p1"));
        Encrypt(Cmm(partition: "p1"));
        Assert.Equal(1, _keyring.Encrypts);
        Encrypt(Cmm(partition: "p2"));
        Assert.Equal(2, _keyring.Encrypts);
        Encrypt(Cmm()); // a new partition of its own
        Assert.Equal(3, _keyring.Encrypts);
        Encrypt(Cmm(partition: "p1"), options: new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "other" } });
        Assert.Equal(4, _keyring.Encrypts);
        Encrypt(Cmm(partition: "p1"), options: new EncryptOptions { EncryptionContext = Context, Sign = false });
        Assert.Equal(5, _keyring.Encrypts);
    }

    [Fact]
    public void Concurrent_encryptions_never_exceed_the_message_limit()
    {
        var cmm = Cmm(limitMessages: 10);
        var messages = new byte[200][];
        Parallel.For(0, messages.Length, i => messages[i] = Encrypt(cmm, length: 50));
        Assert.All(messages.GroupBy(MessageInspection.DataKeyId), g => Assert.True(g.Count() <= 10, $"{g.Count()} messages under one data key"));
        Assert.True(_keyring.Encrypts >= 20);
        Assert.All(messages, m => Assert.Equal(Keys.Plaintext(50), _client.Decrypt(m, Keys.Aes()).Plaintext));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cmm(ttl: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cmm(limitBytes: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cmm(limitMessages: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cmm(limitMessages: CachingCryptographicMaterialsManager.DefaultLimitMessages + 1));
    }

    [Fact]
    public async Task Encryption_identifier_follows_the_specification_formula()
    {
        // spec: caching-cmm.md#encryption-materials-with-algorithm-suite — SHA-384(0x01 0x00 0x01 0x00 partition 0x00
        // 0x01 0x00 suite-id 0x00 serialized-context). A cache that sees a put under exactly that identifier proves it.
        using var cache = new LocalCryptographicMaterialsCache(10);
        var cmm = new CachingCryptographicMaterialsManager(Keys.Aes(), cache, TimeSpan.FromMinutes(1), partitionId: "partition");
        using var materials = await cmm.GetEncryptionMaterialsAsync(new EncryptionMaterialsRequest(Context, CommitmentPolicy.RequireEncryptRequireDecrypt, AlgorithmSuite.AesGcm256HkdfSha512Commit, MaxPlaintextLength: 10));
        byte[] expected = SHA384.HashData([
            0x01, 0x00, 0x01, 0x00, .. Encoding.UTF8.GetBytes("partition"), 0x00, 0x01, 0x00, 0x04, 0x78, 0x00,
            .. EncryptionContextSerializer.Serialize(Context)]);
        Assert.True(cache.TryGetCacheEntry(expected, out _));

        using var withoutSuite = await cmm.GetEncryptionMaterialsAsync(new EncryptionMaterialsRequest(Context, CommitmentPolicy.RequireEncryptRequireDecrypt, MaxPlaintextLength: 10));
        byte[] expectedWithout = SHA384.HashData([
            0x01, 0x00, 0x01, 0x00, .. Encoding.UTF8.GetBytes("partition"), 0x00, 0x00, 0x00, .. EncryptionContextSerializer.Serialize(Context)]);
        Assert.True(cache.TryGetCacheEntry(expectedWithout, out _));
    }
}
