using System.Buffers.Binary;
using System.Text;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// The self-describing ciphertext of a symmetric KMS key (documented in docs/ciphertext-format.md):
/// <code>
/// format (1) = 0x01 | region length (1) | region (ASCII) | account (12 ASCII digits) | key id length (1) | key id (ASCII)
/// | key version ordinal (4, big-endian) | salt (16) | nonce (12) | ciphertext | tag (16)
/// </code>
/// Everything before the ciphertext is the header, authenticated as associated data together with the canonical
/// encryption context.
/// </summary>
public readonly ref struct CiphertextBlob
{
    public const byte FormatVersion = 1;
    public const int SaltLength = 16;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    private CiphertextBlob(ReadOnlySpan<byte> blob, int headerLength, string region, AccountId account, KeyId keyId, uint ordinal)
    {
        Blob = blob;
        HeaderLength = headerLength;
        Region = region;
        Account = account;
        KeyId = keyId;
        KeyVersion = ordinal;
    }

    public ReadOnlySpan<byte> Blob { get; }
    public int HeaderLength { get; }
    public string Region { get; }
    public AccountId Account { get; }
    public KeyId KeyId { get; }
    public uint KeyVersion { get; }

    public ReadOnlySpan<byte> Header => Blob[..HeaderLength];
    public ReadOnlySpan<byte> Salt => Blob.Slice(HeaderLength - NonceLength - SaltLength, SaltLength);
    public ReadOnlySpan<byte> Nonce => Blob.Slice(HeaderLength - NonceLength, NonceLength);
    public ReadOnlySpan<byte> Ciphertext => Blob[HeaderLength..^TagLength];
    public ReadOnlySpan<byte> Tag => Blob[^TagLength..];

    /// <summary>Length of the header for a key; the blob is this plus the plaintext length plus the tag.</summary>
    public static int HeaderLengthFor(KmsKey key) => 1 + 1 + key.Region.Length + 12 + 1 + key.Id.Value.Length + 4 + SaltLength + NonceLength;

    /// <summary>Writes the header for <paramref name="key"/>'s current version; salt and nonce are left for the caller to fill.</summary>
    public static void WriteHeader(Span<byte> destination, KmsKey key, uint ordinal)
    {
        destination[0] = FormatVersion;
        var offset = 1;
        offset += WriteShortAscii(destination[offset..], key.Region);
        offset += Encoding.ASCII.GetBytes(key.Account.Value, destination[offset..]);
        offset += WriteShortAscii(destination[offset..], key.Id.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], ordinal);
    }

    /// <summary>Splits a blob; false when it is not one of ours (the caller answers InvalidCiphertextException).</summary>
    public static bool TryParse(ReadOnlySpan<byte> blob, out CiphertextBlob parsed)
    {
        parsed = default;
        if (blob.Length < 2 || blob[0] != FormatVersion)
        {
            return false;
        }

        var offset = 1;
        if (!TryReadShortAscii(blob, ref offset, out var region) || blob.Length < offset + 12)
        {
            return false;
        }

        if (!AccountId.TryParse(Encoding.ASCII.GetString(blob.Slice(offset, 12)), out var account))
        {
            return false;
        }

        offset += 12;
        if (!TryReadShortAscii(blob, ref offset, out var keyIdText) || !KeyId.TryParse(keyIdText, out var keyId)
            || blob.Length < offset + 4 + SaltLength + NonceLength + TagLength)
        {
            return false;
        }

        var ordinal = BinaryPrimitives.ReadUInt32BigEndian(blob[offset..]);
        offset += 4 + SaltLength + NonceLength;
        parsed = new CiphertextBlob(blob, offset, region, account, keyId, ordinal);
        return true;
    }

    private static int WriteShortAscii(Span<byte> destination, string text)
    {
        destination[0] = (byte)text.Length;
        return 1 + Encoding.ASCII.GetBytes(text, destination[1..]);
    }

    private static bool TryReadShortAscii(ReadOnlySpan<byte> blob, ref int offset, out string text)
    {
        text = string.Empty;
        if (blob.Length <= offset)
        {
            return false;
        }

        var length = blob[offset];
        if (length == 0 || blob.Length < offset + 1 + length)
        {
            return false;
        }

        var bytes = blob.Slice(offset + 1, length);
        foreach (var b in bytes)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        text = Encoding.ASCII.GetString(bytes);
        offset += 1 + length;
        return true;
    }
}
