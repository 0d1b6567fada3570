using System.Buffers.Binary;
using System.Text;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;

namespace Keyhaven.Kms.Tests.Crypto;

/// <summary>The ciphertext format: layout, parse round trip, and refusal of anything that is not one of ours.</summary>
public sealed partial class CiphertextBlobTests
{
    private static byte[] Encrypt(KmsKey key, int length, EncryptionContext? context = null) =>
        SymmetricCipher.Encrypt(key, new byte[length], context ?? EncryptionContext.Empty, SystemRandomSource.Instance);

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4096)]
    public void WriteThenParse_RoundTripsEveryField(int plaintextLength)
    {
        var key = TestKeys.Create(versions: 3);
        var blob = Encrypt(key, plaintextLength);

        Assert.True(CiphertextBlob.TryParse(blob, out var parsed));

        Assert.Equal(key.Region, parsed.Region);
        Assert.Equal(key.Account, parsed.Account);
        Assert.Equal(key.Id, parsed.KeyId);
        Assert.Equal(3u, parsed.KeyVersion);
        Assert.Equal(CiphertextBlob.HeaderLengthFor(key), parsed.HeaderLength);
        Assert.Equal(CiphertextBlob.SaltLength, parsed.Salt.Length);
        Assert.Equal(CiphertextBlob.NonceLength, parsed.Nonce.Length);
        Assert.Equal(plaintextLength, parsed.Ciphertext.Length);
        Assert.Equal(CiphertextBlob.TagLength, parsed.Tag.Length);
        Assert.Equal(blob.Length, parsed.HeaderLength + parsed.Ciphertext.Length + parsed.Tag.Length);
    }

    [Fact]
    public void Header_HasTheDocumentedLayout()
    {
        var key = TestKeys.Create(versions: 2);
        var blob = Encrypt(key, 5);

        // format (1) = 0x01 | region length (1) | region | account (12) | key id length (1) | key id | ordinal (4, BE) | salt (16) | nonce (12)
        var offset = 0;
        Assert.Equal(0x01, blob[offset++]);
        Assert.Equal(key.Region.Length, blob[offset++]);
        Assert.Equal(key.Region, Encoding.ASCII.GetString(blob, offset, key.Region.Length));
        offset += key.Region.Length;
        Assert.Equal(key.Account.Value, Encoding.ASCII.GetString(blob, offset, 12));
        offset += 12;
        Assert.Equal(36, blob[offset++]);
        Assert.Equal(key.Id.Value, Encoding.ASCII.GetString(blob, offset, 36));
        offset += 36;
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(offset)));
        offset += 4 + 16 + 12;
        Assert.Equal(offset, CiphertextBlob.HeaderLengthFor(key));
        Assert.Equal(offset + 5 + 16, blob.Length);
    }

    [Fact]
    public void TryParse_ReturnsFalseForATruncatedBlobAtEveryLengthShorterThanHeaderPlusTag()
    {
        var key = TestKeys.Create();
        var blob = Encrypt(key, 64);
        var minimum = CiphertextBlob.HeaderLengthFor(key) + CiphertextBlob.TagLength;

        for (var length = 0; length < minimum; length++)
        {
            Assert.False(CiphertextBlob.TryParse(blob.AsSpan(0, length), out _), $"length {length}");
        }
    }

    [Fact]
    public void ATruncatedBlobThatStillParses_NeverDecrypts()
    {
        // From header + tag on, a truncation is structurally a blob with a shorter ciphertext: GCM must refuse it.
        var key = TestKeys.Create();
        var blob = Encrypt(key, 64);

        for (var length = CiphertextBlob.HeaderLengthFor(key) + CiphertextBlob.TagLength; length < blob.Length; length++)
        {
            Assert.True(CiphertextBlob.TryParse(blob.AsSpan(0, length), out var parsed));
            Assert.Null(SymmetricCipher.TryDecrypt(key, parsed, EncryptionContext.Empty));
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x02)]
    [InlineData(0xFF)]
    public void TryParse_RefusesAnUnknownFormatByte(byte format)
    {
        var blob = Encrypt(TestKeys.Create(), 8);
        blob[0] = format;

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Fact]
    public void TryParse_RefusesAnEmptyRegion()
    {
        var blob = Encrypt(TestKeys.Create(), 8);
        blob[1] = 0;

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Theory]
    [InlineData(0x20)]
    [InlineData(0x7F)]
    [InlineData(0x80)]
    [InlineData(0x00)]
    public void TryParse_RefusesANonPrintableRegion(byte character)
    {
        var blob = Encrypt(TestKeys.Create(), 8);
        blob[3] = character;

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Theory]
    [InlineData('a')]
    [InlineData(' ')]
    [InlineData('-')]
    public void TryParse_RefusesAnAccountThatIsNotTwelveDigits(char character)
    {
        var key = TestKeys.Create();
        var blob = Encrypt(key, 8);
        blob[2 + key.Region.Length + 5] = (byte)character;

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Fact]
    public void TryParse_RefusesAnUppercaseKeyId()
    {
        var key = TestKeys.Create();
        var blob = Encrypt(key, 8);
        var idStart = 2 + key.Region.Length + 12 + 1;
        var letter = Array.FindIndex(blob, idStart, 36, b => b is >= (byte)'a' and <= (byte)'f');
        Assert.True(letter >= 0);
        blob[letter] = (byte)char.ToUpperInvariant((char)blob[letter]);

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Fact]
    public void TryParse_RefusesAKeyIdThatIsNotAUuid()
    {
        var key = TestKeys.Create();
        var blob = Encrypt(key, 8);
        blob[2 + key.Region.Length + 12 + 1 + 8] = (byte)'x'; // where the first hyphen was

        Assert.False(CiphertextBlob.TryParse(blob, out _));
    }

    [Fact]
    public void TryParse_AcceptsAnEmptyCiphertext_WhichNeverDecrypts()
    {
        var key = TestKeys.Create();
        var blob = Encrypt(key, 0);

        Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
        Assert.Equal(0, parsed.Ciphertext.Length);
        Assert.NotNull(SymmetricCipher.TryDecrypt(key, parsed, EncryptionContext.Empty));

        blob[^1] ^= 1;
        Assert.True(CiphertextBlob.TryParse(blob, out parsed));
        Assert.Null(SymmetricCipher.TryDecrypt(key, parsed, EncryptionContext.Empty));
    }
}
