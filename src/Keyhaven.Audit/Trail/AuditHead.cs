using System.Buffers.Binary;

namespace Keyhaven.Audit.Trail;

/// <summary>
/// Where the chain stands: the last event's sequence and hash, and the last digest's number, hash and the last
/// sequence it covers. Stored (sealed) with every batch so that a restart continues the chain. Layout:
/// <c>format (1, 0x01) | sequence (8) | hash (32) | digest number (8) | digest hash (32) | digested through (8)</c>.
/// </summary>
public sealed record AuditHead(long Sequence, byte[] Hash, long DigestNumber, byte[] DigestHash, long DigestedThrough)
{
    private const byte FormatVersion = 1;
    private const int Length = 1 + 8 + 32 + 8 + 32 + 8;

    /// <summary>The head of an empty trail.</summary>
    public static AuditHead Empty => new(0, new byte[AuditChainEntry.HashLength], 0, new byte[AuditChainEntry.HashLength], 0);

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), Sequence);
        Hash.CopyTo(bytes.AsSpan(9));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(41), DigestNumber);
        DigestHash.CopyTo(bytes.AsSpan(49));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(81), DigestedThrough);
        return bytes;
    }

    /// <exception cref="InvalidDataException">Not a head record of a known format.</exception>
    public static AuditHead FromBytes(byte[] bytes) =>
        bytes.Length == Length && bytes[0] == FormatVersion
            ? new AuditHead(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)), bytes[9..41], BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(41)), bytes[49..81],
                BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(81)))
            : throw new InvalidDataException("The audit chain head is not a record of a known format.");
}
