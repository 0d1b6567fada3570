using Keyhaven.Attestation.Nitro;

namespace Keyhaven.Attestation.Verification;

/// <summary>What a verifier trusts and how strict it is. Immutable.</summary>
public sealed record AttestationVerifierOptions
{
    /// <summary>
    /// SHA-256 fingerprints (uppercase hex) of the roots a CA bundle may start with. The root a document carries is used
    /// only when its fingerprint is one of these, so a document can never bring its own trust. Defaults to the AWS
    /// Nitro Enclaves root G1.
    /// </summary>
    public IReadOnlyList<string> TrustedRootFingerprints { get; init; } = [NitroRoots.AwsNitroEnclavesRootG1Sha256];

    /// <summary>
    /// SHA-256 fingerprints of development roots (<c>keyhaven enclave init</c>) trusted as well, only when a server is
    /// told to. A document under one of them must carry a <c>dev:</c> module id and is reported as development.
    /// </summary>
    public IReadOnlyList<string> DevelopmentRootFingerprints { get; init; } = [];

    /// <summary>The oldest a document may be (its timestamp against the verifier's clock); default 5 minutes.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future a timestamp may lie (clock skew); default 1 minute.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest document accepted, in bytes; default 16 KiB (real documents are about 4.5 KiB).</summary>
    public int MaxDocumentSize { get; init; } = 16 * 1024;
}
