namespace Keyhaven.Encryption;

/// <summary>
/// What a streaming decryption does with a signed message, whose frames authenticate one by one but whose
/// signature is checked only at the end. spec: client-apis/decrypt.md#security-considerations
/// </summary>
public enum SignedMessagePolicy
{
    /// <summary>Hold all plaintext back until the signature verifies (up to <see cref="DecryptOptions.MaxBufferedPlaintext"/>). The default.</summary>
    BufferUntilVerified,

    /// <summary>
    /// Release each regular frame as it authenticates; the final frame (and non-framed content) is still held until
    /// the signature verifies, as the specification requires. A bad signature is thrown at the end; the caller must
    /// discard what it read if the stream throws.
    /// </summary>
    ReleaseBeforeVerification,

    /// <summary>Refuse signed messages right after parsing the header.</summary>
    Refuse,
}
