using System.Security.Cryptography;
using Keyhaven.Kms.Import;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tests.Import;

/// <summary>Unwrapping of imported key material and the rules for what each key spec accepts.</summary>
public sealed class KeyMaterialUnwrapperTests
{
    private static readonly RSA WrappingKey = RSA.Create(2048);

    private static byte[] Pkcs8 => WrappingKey.ExportPkcs8PrivateKey();

    /// <summary>RSA_AES_KEY_WRAP as AWS documents it: OAEP(ephemeral AES-256 key) || AES-KWP(material) (RFC 5649).</summary>
    private static byte[] WrapWithAes(byte[] material, RSAEncryptionPadding padding)
    {
        var aesKey = RandomNumberGenerator.GetBytes(32);
        using var aes = Aes.Create();
        aes.SetKey(aesKey);
        return [.. WrappingKey.Encrypt(aesKey, padding), .. aes.EncryptKeyWrapPadded(material)];
    }

    [Theory]
    [InlineData(WrappingAlgorithm.RsaesOaepSha1)]
    [InlineData(WrappingAlgorithm.RsaesOaepSha256)]
    [InlineData(WrappingAlgorithm.RsaAesKeyWrapSha1)]
    [InlineData(WrappingAlgorithm.RsaAesKeyWrapSha256)]
    public void Material_unwraps_with_its_algorithm_and_any_flipped_bit_or_other_algorithm_fails(WrappingAlgorithm algorithm)
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var sha1 = algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaAesKeyWrapSha1;
        var padding = sha1 ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        var wrapped = algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaesOaepSha256 ? WrappingKey.Encrypt(material, padding) : WrapWithAes(material, padding);

        Assert.Equal(material, KeyMaterialUnwrapper.TryUnwrap(Pkcs8, algorithm, wrapped));
        foreach (var other in Enum.GetValues<WrappingAlgorithm>().Where(a => a != algorithm))
        {
            Assert.Null(KeyMaterialUnwrapper.TryUnwrap(Pkcs8, other, wrapped));
        }

        for (var i = 0; i < wrapped.Length; i += 7)
        {
            var tampered = (byte[])wrapped.Clone();
            tampered[i] ^= 0x10;
            Assert.NotEqual(material, KeyMaterialUnwrapper.TryUnwrap(Pkcs8, algorithm, tampered));
        }

        Assert.Null(KeyMaterialUnwrapper.TryUnwrap(Pkcs8, algorithm, wrapped[..^1]));
    }

    [Theory]
    [InlineData(KeySpec.SymmetricDefault, 31, false)]
    [InlineData(KeySpec.SymmetricDefault, 32, true)]
    [InlineData(KeySpec.SymmetricDefault, 33, false)]
    [InlineData(KeySpec.Hmac224, 27, false)]
    [InlineData(KeySpec.Hmac224, 28, true)]
    [InlineData(KeySpec.Hmac256, 64, true)]
    [InlineData(KeySpec.Hmac256, 65, false)]
    [InlineData(KeySpec.Hmac384, 47, false)]
    [InlineData(KeySpec.Hmac512, 128, true)]
    [InlineData(KeySpec.Hmac512, 129, false)]
    [InlineData(KeySpec.Rsa2048, 32, false)]
    public void Material_lengths_follow_the_key_spec(KeySpec spec, int length, bool accepted)
    {
        Assert.Equal(accepted, ImportedMaterial.TryNormalize(spec, RandomNumberGenerator.GetBytes(length)) is not null);
    }

    [Fact]
    public void Private_keys_must_be_of_the_spec_type_and_size()
    {
        using var rsa3072 = RSA.Create(3072);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.NotNull(ImportedMaterial.TryNormalize(KeySpec.Rsa3072, rsa3072.ExportPkcs8PrivateKey()));
        Assert.Null(ImportedMaterial.TryNormalize(KeySpec.Rsa2048, rsa3072.ExportPkcs8PrivateKey()));
        Assert.NotNull(ImportedMaterial.TryNormalize(KeySpec.EccNistP384, p384.ExportPkcs8PrivateKey()));
        Assert.Null(ImportedMaterial.TryNormalize(KeySpec.EccNistP256, p384.ExportPkcs8PrivateKey()));
        Assert.Null(ImportedMaterial.TryNormalize(KeySpec.EccNistEdwards25519, p384.ExportPkcs8PrivateKey()));
        Assert.Null(ImportedMaterial.TryNormalize(KeySpec.EccSecgP256K1, [0x30, 0x03, 0x02, 0x01, 0x00]));
    }

    [Fact]
    public void The_material_id_identifies_material_without_being_it()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var id = ImportedMaterial.MaterialId(material);
        Assert.Equal(64, id.Length);
        Assert.Equal(id, ImportedMaterial.MaterialId((byte[])material.Clone()));
        Assert.NotEqual(id, ImportedMaterial.MaterialId(RandomNumberGenerator.GetBytes(32)));
        Assert.NotEqual(Convert.ToHexStringLower(material), id);
    }
}
