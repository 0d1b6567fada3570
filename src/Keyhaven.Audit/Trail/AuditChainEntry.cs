using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Keyhaven.Audit.Trail;

/// <summary>
/// One link of the hash chain as stored (inside the barrier's seal): <c>format (1, 0x01) | sequence (8, big-endian) |
/// previous hash (32) | event JSON</c>. The link's hash is SHA-256 over those exact bytes, so it commits to the
/// event, its position and everything before it.
/// </summary>
public sealed class AuditChainEntry
{
    private const byte FormatVersion = 1;
    private const int HeaderLength = 1 + 8 + HashLength;

    /// <summary>The length of a chain hash (SHA-256).</summary>
    public const int HashLength = 32;

    private AuditChainEntry(long sequence, byte[] previousHash, ReadOnlyMemory<byte> eventJson, byte[] bytes)
    {
        Sequence = sequence;
        PreviousHash = previousHash;
        EventJson = eventJson;
        Bytes = bytes;
        Hash = SHA256.HashData(bytes);
    }

    /// <summary>The hash that precedes the first event: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> GenesisHash => new byte[HashLength];

    /// <summary>Position in the trail, from 1.</summary>
    public long Sequence { get; }

    public byte[] PreviousHash { get; }

    /// <summary>The CloudTrail record, UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> EventJson { get; }

    /// <summary>The stored bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: the chain head after this event.</summary>
    public byte[] Hash { get; }

    public static AuditChainEntry Create(long sequence, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> eventJson)
    {
        var bytes = new byte[HeaderLength + eventJson.Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), sequence);
        previousHash.CopyTo(bytes.AsSpan(9, HashLength));
        eventJson.CopyTo(bytes.AsSpan(HeaderLength));
        return new AuditChainEntry(sequence, previousHash.ToArray(), bytes.AsMemory(HeaderLength), bytes);
    }

    /// <summary>Reads stored bytes; false when they are not a chain entry of a known format.</summary>
    public static bool TryParse(byte[] bytes, out AuditChainEntry? entry)
    {
        entry = null;
        if (bytes.Length < HeaderLength || bytes[0] != FormatVersion)
        {
            return false;
        }

        entry = new AuditChainEntry(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)), bytes.AsSpan(9, HashLength).ToArray(), bytes.AsMemory(HeaderLength), bytes);
        return true;
    }
}
