using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption;

/// <summary>Per-message settings of an encryption.</summary>
public sealed record EncryptOptions
{
    /// <summary>Non-secret pairs bound to the message; keys starting with <c>aws-crypto-</c> are reserved.</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext { get; init; } = new Dictionary<string, string>();

    /// <summary>The suite; null chooses 0x0578 (0x0478 when <see cref="Sign"/> is false).</summary>
    public AlgorithmSuiteId? Suite { get; init; }

    /// <summary>
    /// Whether the default suite signs the message (ECDSA). Signing protects against a reader who can decrypt
    /// one data key forging messages for others; turn it off when all readers are also writers.
    /// </summary>
    public bool Sign { get; init; } = true;

    /// <summary>
    /// For streams only: the most plaintext bytes that will be written. It is passed to the materials manager (a
    /// caching CMM reuses data keys only for requests of known size) and the stream fails as soon as more is written.
    /// Ignored by the byte-array API, whose plaintext length is known. spec: client-apis/encrypt.md#plaintext-length-bound
    /// </summary>
    public long? PlaintextLengthBound
    {
        get;
        init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"The plaintext length bound is 0 or more, not {value}.");
    }

    /// <summary>Plaintext bytes per frame (default 4096). 0 writes non-framed content (byte-array API only).</summary>
    public int FrameLength
    {
        get;
        init => field = value is >= 0 and <= BodyLayout.MaxFrameLength ? value : throw new ArgumentOutOfRangeException(nameof(value), $"The frame length is 1 to {BodyLayout.MaxFrameLength} bytes (0 for non-framed), not {value}.");
    } = BodyLayout.DefaultFrameLength;
}
