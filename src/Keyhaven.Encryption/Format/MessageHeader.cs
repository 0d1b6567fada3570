using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Format;

/// <summary>
/// A parsed (or to-be-written) message header. <see cref="EncryptionContext"/> is the stored context only.
/// spec: data-format/message-header.md
/// </summary>
internal sealed class MessageHeader
{
    public required AlgorithmSuite Suite { get; init; }

    public required byte[] MessageId { get; init; }

    public required IReadOnlyDictionary<string, string> EncryptionContext { get; init; }

    public required IReadOnlyList<EncryptedDataKey> EncryptedDataKeys { get; init; }

    public required ContentType ContentType { get; init; }

    /// <summary>Plaintext bytes per regular frame; 0 for non-framed content.</summary>
    public required uint FrameLength { get; init; }

    /// <summary>The commitment key (format 2), else empty.</summary>
    public byte[] Commitment { get; init; } = [];

    /// <summary>The header authentication IV (format 1), else empty (format 2 uses an all-zero IV).</summary>
    public byte[] HeaderIv { get; init; } = [];

    /// <summary>The header authentication tag (16 bytes); empty before it is computed.</summary>
    public byte[] HeaderTag { get; init; } = [];
}
