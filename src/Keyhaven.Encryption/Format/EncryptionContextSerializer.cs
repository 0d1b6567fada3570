using System.Buffers.Binary;
using System.Text;

namespace Keyhaven.Encryption.Format;

/// <summary>
/// The serialized form of an encryption context: count (uint16), then each pair sorted by the UTF-8 bytes of its key,
/// as key length (uint16), key, value length (uint16), value. An empty context serializes to zero bytes.
/// spec: framework/structures.md#serialization
/// </summary>
internal static class EncryptionContextSerializer
{
    public const string ReservedPrefix = "aws-crypto-";
    public const string PublicKeyKey = "aws-crypto-public-key";

    public static byte[] Serialize(IReadOnlyDictionary<string, string> context)
    {
        if (context.Count == 0)
        {
            return [];
        }

        if (context.Count > ushort.MaxValue)
        {
            throw Invalid($"The encryption context has {context.Count} pairs; at most {ushort.MaxValue} fit in a message.");
        }

        var pairs = new List<(byte[] Key, byte[] Value)>(context.Count);
        var length = 2;
        foreach (var (key, value) in context)
        {
            var k = ToUtf8(key);
            var v = ToUtf8(value);
            if (k.Length > ushort.MaxValue || v.Length > ushort.MaxValue)
            {
                throw Invalid($"The encryption context key `{key}` or its value is longer than {ushort.MaxValue} bytes in UTF-8.");
            }

            pairs.Add((k, v));
            length += 4 + k.Length + v.Length;
        }

        pairs.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        if (length > ushort.MaxValue)
        {
            throw Invalid($"The serialized encryption context is {length} bytes; at most {ushort.MaxValue} fit in a message.");
        }

        var output = new byte[length];
        var span = output.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)pairs.Count);
        var offset = 2;
        foreach (var (k, v) in pairs)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)k.Length);
            k.CopyTo(span[(offset + 2)..]);
            offset += 2 + k.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)v.Length);
            v.CopyTo(span[(offset + 2)..]);
            offset += 2 + v.Length;
        }

        return output;
    }

    /// <summary>Parses a serialized context (the whole span); rejects duplicates, bad UTF-8 and trailing bytes.</summary>
    public static Dictionary<string, string> Deserialize(ReadOnlySpan<byte> bytes)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bytes.IsEmpty)
        {
            return context;
        }

        if (bytes.Length < 2)
        {
            throw Malformed("The encryption context is shorter than its pair count.");
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        if (count == 0)
        {
            // spec: data-format/message-header.md#aad — an empty context is written as AAD length 0, not as a zero count.
            throw Malformed("The encryption context has a pair count of 0 but a non-zero length.");
        }

        var offset = 2;
        for (var i = 0; i < count; i++)
        {
            var key = ReadString(bytes, ref offset);
            var value = ReadString(bytes, ref offset);
            if (!context.TryAdd(key, value))
            {
                throw Malformed("The encryption context has a duplicate key.");
            }
        }

        if (offset != bytes.Length)
        {
            throw Malformed("The encryption context has bytes after its last pair.");
        }

        return context;
    }

    private static string ReadString(ReadOnlySpan<byte> bytes, ref int offset)
    {
        if (offset + 2 > bytes.Length)
        {
            throw Malformed("The encryption context is shorter than its declared pairs.");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
        offset += 2;
        if (offset + length > bytes.Length)
        {
            throw Malformed("The encryption context is shorter than its declared pairs.");
        }

        try
        {
            var text = StrictUtf8.GetString(bytes.Slice(offset, length));
            offset += length;
            return text;
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("The encryption context is not valid UTF-8.");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static byte[] ToUtf8(string text)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid("An encryption context key or value is not valid Unicode.");
        }
    }

    private static EncryptionSdkException Invalid(string message) => new(EncryptionSdkErrorReason.InvalidInput, message);

    private static EncryptionSdkException Malformed(string message) => new(EncryptionSdkErrorReason.MalformedMessage, message);
}
