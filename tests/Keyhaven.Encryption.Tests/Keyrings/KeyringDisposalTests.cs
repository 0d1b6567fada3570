using System.Security.Cryptography;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Keyrings;

/// <summary>
/// Keyrings holding key material fail closed once disposed: never an all-zero wrapping key, and an operation that was
/// already running when another thread disposed the keyring finishes with the real key.
/// </summary>
public sealed class KeyringDisposalTests
{
    private static readonly EncryptionClient Client = new();

    [Fact]
    public void A_disposed_raw_aes_keyring_refuses_to_encrypt_and_decrypt()
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.Aes()).Ciphertext;
        var keyring = Keys.Aes();
        keyring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Client.Encrypt(Keys.Plaintext(10), keyring));
        Assert.Throws<ObjectDisposedException>(() => Client.Decrypt(message, keyring));
        keyring.Dispose(); // twice is fine
    }

    [Fact]
    public async Task A_raw_aes_keyring_disposed_during_use_never_wraps_under_a_zeroed_key()
    {
        // The all-zero key a zeroed wrapping key would be: no message may be decryptable with it.
        using var zeroKeyring = new RawAesKeyring("test-ns", "key", new byte[32]);
        for (var round = 0; round < 20; round++)
        {
            var keyring = Keys.Aes();
            var messages = new System.Collections.Concurrent.ConcurrentBag<byte[]>();
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 50; i++)
                {
                    try
                    {
                        messages.Add(Client.Encrypt(Keys.Plaintext(16), keyring, new EncryptOptions { Sign = false }).Ciphertext);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            })).ToArray();
            await Task.Delay(round % 3);
            keyring.Dispose();
            await Task.WhenAll(workers);

            foreach (var message in messages)
            {
                Assert.Equal(Keys.Plaintext(16), Client.Decrypt(message, Keys.Aes()).Plaintext);
                Assert.Throws<EncryptionSdkException>(() => Client.Decrypt(message, zeroKeyring));
            }
        }
    }

    [Fact]
    public void A_disposed_raw_rsa_keyring_refuses_to_encrypt_and_decrypt()
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.RsaPublic(RsaPadding.OaepSha256)).Ciphertext;
        var keyring = Keys.RsaPrivate(RsaPadding.OaepSha256);
        keyring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Client.Encrypt(Keys.Plaintext(10), keyring));
        Assert.Throws<ObjectDisposedException>(() => Client.Decrypt(message, keyring));
    }

    [Fact]
    public void A_disposed_materials_cache_takes_no_new_key_material()
    {
        var cache = new LocalCryptographicMaterialsCache(10);
        cache.Dispose();
        var materials = new EncryptionMaterials(AlgorithmSuite.AesGcm256HkdfSha512Commit, new Dictionary<string, string>());
        var key = RandomNumberGenerator.GetBytes(32);
        materials.SetPlaintextDataKey(key);
        var now = DateTimeOffset.UtcNow;
        var entry = new CacheEntry(materials, now, now.AddHours(1));

        Assert.Throws<ObjectDisposedException>(() => cache.PutCacheEntry([1], entry));
        Assert.True(entry.IsDisposed);
        Assert.All(key, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => cache.TryGetCacheEntry([1], out _));
    }
}
