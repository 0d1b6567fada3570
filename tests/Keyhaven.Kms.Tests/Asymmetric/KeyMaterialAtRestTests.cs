using System.Text;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Asymmetric;

/// <summary>Private keys and HMAC keys are sealed by the barrier like symmetric material: never in a record or database file in plaintext.</summary>
public sealed class KeyMaterialAtRestTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Theory]
    [InlineData(KeySpec.Rsa2048, KeyUsage.SignVerify)]
    [InlineData(KeySpec.EccSecgP256K1, KeyUsage.SignVerify)]
    [InlineData(KeySpec.EccNistP256, KeyUsage.KeyAgreement)]
    [InlineData(KeySpec.EccNistEdwards25519, KeyUsage.SignVerify)]
    [InlineData(KeySpec.MlDsa65, KeyUsage.SignVerify)]
    [InlineData(KeySpec.Hmac512, KeyUsage.GenerateVerifyMac)]
    public async Task Private_and_HMAC_key_material_is_never_stored_in_plaintext(KeySpec spec, KeyUsage usage)
    {
        var key = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { Spec = spec, Usage = usage }, None);
        var stored = (await _kms.ReadStoredAsync(key))!;
        Assert.Equal(spec, stored.Spec);
        var material = stored.CurrentVersion.Material;
        Assert.Equal(key.CurrentVersion.Material, material);

        // The raw material and its base64 form (inside the JSON document) and, for PKCS#8, a 32-byte window of it.
        var needles = new List<byte[]> { material, Encoding.UTF8.GetBytes(Convert.ToBase64String(material)), material[^32..] };
        var entry = Assert.Single(await _kms.RawEntriesAsync(KeyRepository.Table));
        foreach (var needle in needles)
        {
            Assert.True(entry.Value.AsSpan().IndexOf(needle) < 0);
        }

        foreach (var path in new[] { "", "-wal" }.Select(s => _kms.DatabasePath + s).Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            foreach (var needle in needles)
            {
                Assert.True(copy.ToArray().AsSpan().IndexOf(needle) < 0);
            }
        }
    }
}
