namespace Keyhaven.Encryption;

/// <summary>Per-message settings of a decryption.</summary>
public sealed record DecryptOptions
{
    /// <summary>
    /// Pairs the message must carry: each one stored in the message must have this value, and the ones not stored
    /// (required encryption context) are supplied here and authenticated.
    /// </summary>
    public IReadOnlyDictionary<string, string> EncryptionContext { get; init; } = new Dictionary<string, string>();

    /// <summary>How a <see cref="Streams.DecryptingStream"/> treats plaintext of signed messages before the signature is checked.</summary>
    public SignedMessagePolicy SignedMessages { get; init; } = SignedMessagePolicy.BufferUntilVerified;

    /// <summary>The most plaintext a <see cref="Streams.DecryptingStream"/> holds back while a signature is unverified (default 64 MiB).</summary>
    public int MaxBufferedPlaintext
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "The buffer limit cannot be negative.");
    } = 64 * 1024 * 1024;
}
