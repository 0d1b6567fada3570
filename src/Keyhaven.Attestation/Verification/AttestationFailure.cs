namespace Keyhaven.Attestation.Verification;

/// <summary>Why an attestation document was refused.</summary>
public enum AttestationFailure
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>Larger than the verifier accepts, or a field over its size limit.</summary>
    TooLarge,

    /// <summary>Not a COSE_Sign1 structure, not strict CBOR, or the payload does not follow the document schema.</summary>
    Malformed,

    /// <summary>The COSE algorithm is not ES384.</summary>
    UnsupportedAlgorithm,

    /// <summary>The root of the CA bundle is not a pinned (trusted) root.</summary>
    UntrustedRoot,

    /// <summary>A certificate of the chain is expired (or not yet valid) at the document's timestamp.</summary>
    CertificateExpired,

    /// <summary>The leaf does not chain through the CA bundle to the pinned root.</summary>
    InvalidChain,

    /// <summary>The COSE signature does not verify with the leaf certificate's key.</summary>
    InvalidSignature,

    /// <summary>The document is older than the allowed age (or from the future).</summary>
    Stale,

    /// <summary>The nonce differs from the one the verifier issued.</summary>
    NonceMismatch,
}
