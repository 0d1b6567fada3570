using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tests.Crypto;

/// <summary>decrypt(encrypt(x)) == x, and any flipped bit of a ciphertext fails.</summary>
public sealed partial class CryptoOperationsTests
{
    private static readonly Gen<byte[]> Plaintext =
        from length in Gen.Choose(1, 4096)
        from seed in Gen.Choose(0, int.MaxValue)
        select RandomBytes(length, seed);

    private static readonly Gen<EncryptionContext> Contexts =
        from count in Gen.Choose(0, 3)
        from keys in Gen.ArrayOf(Gen.Elements("a", "ab", "tenant", "é", "\U0001F511"), count)
        from values in Gen.ArrayOf(Gen.Elements("", "b", "bc", "acme"), count)
        select EncryptionContext.From(keys.Zip(values).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second));

    [Property(MaxTest = 150)]
    public Property DecryptOfEncrypt_IsTheIdentity() =>
        Prop.ForAll(Plaintext.ToArbitrary(), Contexts.ToArbitrary(), (plaintext, context) =>
        {
            var key = KeyForProperties();
            var blob = _kms.EncryptAsync(key, plaintext, context).GetAwaiter().GetResult();
            Assert.Equal(CiphertextBlob.HeaderLengthFor(key) + plaintext.Length + CiphertextBlob.TagLength, blob.Length);
            Assert.Equal(plaintext, _kms.DecryptAsync(blob, context).GetAwaiter().GetResult());
        });

    [Property(MaxTest = 400)]
    public Property AnyFlippedBit_NeverDecrypts() =>
        Prop.ForAll(FlippedBits(_ => true), input =>
        {
            var blob = EncryptAndFlip(input.Plaintext, input.Bit);

            Assert.Throws<KmsException>(() => _kms.DecryptAsync(blob, Context).GetAwaiter().GetResult());
        });

    [Property(MaxTest = 400)]
    public Property AnyFlippedBitOutsideTheKeyIdentity_FailsWithInvalidCiphertext() =>
        Prop.ForAll(FlippedBits(bit => !IsKeyIdentityByte(bit / 8)), input =>
        {
            var blob = EncryptAndFlip(input.Plaintext, input.Bit);

            AssertInvalidCiphertext(blob, input.Bit);
        });

    [Fact]
    public async Task EveryFlippedBitInTheKeyIdentity_FailsWithInvalidCiphertext()
    {
        var blob = await _kms.EncryptAsync(KeyForProperties(), [1, 2, 3], Context);
        var otherCodes = new List<string>();
        for (var bit = 0; bit < blob.Length * 8; bit++)
        {
            if (!IsKeyIdentityByte(bit / 8))
            {
                continue;
            }

            var flipped = blob.ToArray();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var error = await Assert.ThrowsAsync<KmsException>(() => _kms.DecryptAsync(flipped, Context));
            if (error.Code != KmsErrorCode.InvalidCiphertextException)
            {
                otherCodes.Add($"bit {bit}: {error.Code}");
            }
        }

        Assert.True(otherCodes.Count == 0, $"{otherCodes.Count} flips gave another error: {string.Join("; ", otherCodes.Take(5))}");
    }

    private Arbitrary<(byte[] Plaintext, int Bit)> FlippedBits(Func<int, bool> keep) =>
        (from plaintext in Gen.Choose(1, 64).Select(n => RandomBytes(n, n))
         from bit in Gen.Choose(0, (CiphertextBlob.HeaderLengthFor(KeyForProperties()) + plaintext.Length + CiphertextBlob.TagLength) * 8 - 1).Where(keep)
         select (plaintext, bit)).ToArbitrary();

    /// <summary>The account (12 digits) and key id (36 characters) in the header, which name the key to look up.</summary>
    private bool IsKeyIdentityByte(int index)
    {
        var accountStart = 2 + KeyForProperties().Region.Length;
        var keyIdStart = accountStart + 12 + 1;
        return (index >= accountStart && index < accountStart + 12) || (index >= keyIdStart && index < keyIdStart + 36);
    }

    private byte[] EncryptAndFlip(byte[] plaintext, int bit)
    {
        var blob = _kms.EncryptAsync(KeyForProperties(), plaintext, Context).GetAwaiter().GetResult();
        blob[bit / 8] ^= (byte)(1 << (bit % 8));
        return blob;
    }

    private void AssertInvalidCiphertext(byte[] blob, int bit)
    {
        var error = Assert.Throws<KmsException>(() => _kms.DecryptAsync(blob, Context).GetAwaiter().GetResult());
        Assert.True(error.Code == KmsErrorCode.InvalidCiphertextException, $"Flipping bit {bit} (byte {bit / 8}) gave {error.Code}: {error.Message}");
    }

    private KmsKey? _propertyKey;

    private KmsKey KeyForProperties() => _propertyKey ??= _kms.CreateKeyAsync().GetAwaiter().GetResult();

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
