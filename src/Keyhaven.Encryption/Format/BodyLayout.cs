namespace Keyhaven.Encryption.Format;

/// <summary>
/// Sizes of body records. spec: data-format/message-body.md
/// Regular frame: sequence number (4), IV (12), ciphertext (frame length), tag (16).
/// Final frame: 0xFFFFFFFF (4), sequence number (4), IV (12), content length (4), ciphertext, tag (16).
/// Non-framed: IV (12), content length (8), ciphertext, tag (16).
/// </summary>
internal static class BodyLayout
{
    public const uint SequenceNumberEnd = 0xFFFFFFFF;
    public const int RegularFrameOverhead = 4 + 12 + 16;
    public const int FinalFrameOverhead = 4 + 4 + 12 + 4 + 16;
    public const int NonFramedOverhead = 12 + 8 + 16;

    /// <summary>Largest non-framed content: 2^36 - 32 bytes (AES-GCM's limit).</summary>
    public const long MaxNonFramedLength = (1L << 36) - 32;

    /// <summary>The default frame length of the AWS Encryption SDK.</summary>
    public const int DefaultFrameLength = 4096;

    /// <summary>Largest frame length this implementation buffers (decrypt); larger frames are refused.</summary>
    public const int MaxFrameLength = 256 * 1024 * 1024;
}
