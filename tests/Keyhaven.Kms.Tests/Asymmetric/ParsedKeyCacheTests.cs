using System.Security.Cryptography;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Signing;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Asymmetric;

/// <summary>Parsed private keys are reused while their key is cached, and disposed when it changes or goes.</summary>
public sealed class ParsedKeyCacheTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Fact]
    public void A_returned_key_object_is_reused_and_an_evicted_one_is_disposed_on_return()
    {
        var material = KeyPairs.Generate(KeySpec.Rsa2048);
        RSA first;
        using (var lease = ParsedKeyCache.RentRsa(material))
        {
            first = lease.Key;
        }

        var held = ParsedKeyCache.RentRsa(material);
        Assert.Same(first, held.Key);
        Assert.Equal(0, ParsedKeyCache.PooledCount(material));

        ParsedKeyCache.Evict(material);
        held.Dispose(); // returned after eviction: disposed, not pooled
        Assert.Throws<ObjectDisposedException>(() => held.Key.SignData([1], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(0, ParsedKeyCache.PooledCount(material));

        using (var afterEviction = ParsedKeyCache.RentRsa(material))
        {
            Assert.NotSame(first, afterEviction.Key);
            Assert.NotEmpty(afterEviction.Key.SignData([1], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        Assert.Equal(0, ParsedKeyCache.PooledCount(material)); // an evicted material caches nothing any more
    }

    [Fact]
    public void Shared_parsed_keys_are_made_once_until_evicted()
    {
        var material = new byte[] { 1, 2, 3 };
        var parses = 0;
        object Parse(byte[] _) => new object[] { Interlocked.Increment(ref parses) };

        var first = ParsedKeyCache.GetShared(material, Parse);
        Assert.Same(first, ParsedKeyCache.GetShared(material, Parse));
        ParsedKeyCache.Evict(material);
        Assert.NotSame(first, ParsedKeyCache.GetShared(material, Parse));
        ParsedKeyCache.GetShared(material, Parse);
        Assert.Equal(3, parses);
    }

    [Theory]
    [InlineData(KeySpec.Rsa2048, SigningAlgorithm.RsassaPssSha256)]
    [InlineData(KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha256)]
    [InlineData(KeySpec.EccNistEdwards25519, SigningAlgorithm.Ed25519Sha512)]
    [InlineData(KeySpec.MlDsa44, SigningAlgorithm.MlDsaShake256)]
    public async Task Disabling_or_deleting_a_key_ends_its_parsed_private_key(KeySpec spec, SigningAlgorithm algorithm)
    {
        var key = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { Spec = spec, Usage = KeyUsage.SignVerify }, None);
        var cached = (await _kms.Domain.Keys.FindAsync(key.Account, key.Region, key.Id, None))!;
        var signature = await _kms.Domain.Signing.SignAsync(Caller, key.Id.Value, [1, 2, 3], MessageType.Raw, algorithm, None);
        Assert.True(ParsedKeyCache.PooledCount(cached.CurrentVersion.Material) > 0);

        await _kms.Domain.KeyManager.DisableAsync(Caller, key.Id.Value, None);
        Assert.Equal(0, ParsedKeyCache.PooledCount(cached.CurrentVersion.Material));

        await _kms.Domain.KeyManager.EnableAsync(Caller, key.Id.Value, None);
        await _kms.Domain.Signing.VerifyAsync(Caller, key.Id.Value, [1, 2, 3], MessageType.Raw, signature.Signature, algorithm, None);
        var reenabled = (await _kms.Domain.Keys.FindAsync(key.Account, key.Region, key.Id, None))!;
        Assert.True(ParsedKeyCache.PooledCount(reenabled.CurrentVersion.Material) > 0);

        await _kms.Domain.KeyManager.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);
        Assert.Equal(0, ParsedKeyCache.PooledCount(reenabled.CurrentVersion.Material));
    }
}
