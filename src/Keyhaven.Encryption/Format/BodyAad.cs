using System.Buffers.Binary;

namespace Keyhaven.Encryption.Format;

/// <summary>
/// The associated data of each body encryption: message id, content string, sequence number (uint32) and
/// plaintext length (uint64). spec: data-format/message-body-aad.md
/// </summary>
internal static class BodyAad
{
    public static ReadOnlySpan<byte> RegularFrame => "AWSKMSEncryptionClient Frame"u8;

    public static ReadOnlySpan<byte> FinalFrame => "AWSKMSEncryptionClient Final Frame"u8;

    public static ReadOnlySpan<byte> SingleBlock => "AWSKMSEncryptionClient Single Block"u8;

    /// <summary>Largest AAD: a 32-byte message id, the longest content string, 4 + 8 bytes.</summary>
    public const int MaxLength = 32 + 35 + 12;

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> content, uint sequenceNumber, ulong length)
    {
        messageId.CopyTo(destination);
        var offset = messageId.Length;
        content.CopyTo(destination[offset..]);
        offset += content.Length;
        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], sequenceNumber);
        BinaryPrimitives.WriteUInt64BigEndian(destination[(offset + 4)..], length);
        return offset + 12;
    }

    /// <summary>The IV of a frame: the sequence number, big-endian, left-padded with zeros to 12 bytes.</summary>
    public static void WriteFrameIv(Span<byte> iv, uint sequenceNumber)
    {
        iv[..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv[8..], sequenceNumber);
    }
}
