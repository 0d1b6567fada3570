namespace Keyhaven.Encryption;

/// <summary>Why an encrypt or decrypt call was refused.</summary>
public enum EncryptionSdkErrorReason
{
    /// <summary>The bytes are not a well-formed message (bad version, type, suite, field length, trailing bytes).</summary>
    MalformedMessage,

    /// <summary>The message ended before it was complete.</summary>
    TruncatedMessage,

    /// <summary>No keyring could decrypt any of the message's encrypted data keys (wrong key).</summary>
    NoDecryptableDataKey,

    /// <summary>The header or a frame failed authentication (tampered message, or wrong encryption context).</summary>
    AuthenticationFailed,

    /// <summary>The key commitment in the header does not match the data key.</summary>
    CommitmentMismatch,

    /// <summary>The suite is refused by the commitment policy.</summary>
    CommitmentPolicyViolation,

    /// <summary>The encryption context given on decrypt disagrees with the message, or misses a required key.</summary>
    EncryptionContextMismatch,

    /// <summary>The message has more encrypted data keys than allowed.</summary>
    TooManyEncryptedDataKeys,

    /// <summary>The message signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>A signed message would have to release plaintext before its signature is verified.</summary>
    UnverifiedPlaintextRefused,

    /// <summary>A keyring or materials manager could not produce materials (e.g. a KMS call failed).</summary>
    KeyringFailure,

    /// <summary>The caller's input is invalid (reserved context key, frame length, suite, ...).</summary>
    InvalidInput,
}
