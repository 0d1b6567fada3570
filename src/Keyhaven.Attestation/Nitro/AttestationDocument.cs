namespace Keyhaven.Attestation.Nitro;

/// <summary>
/// The payload of a Nitro Enclaves (or NitroTPM) attestation document, as the enclave's hypervisor signed it. Immutable.
/// Byte arrays are the document's own bytes; callers must not change them.
/// </summary>
public sealed record AttestationDocument
{
    /// <summary>The enclave (or instance) that produced the document; development documents start with <c>dev:</c>.</summary>
    public required string ModuleId { get; init; }

    /// <summary>The digest used for the measurements: always <c>SHA384</c> for Nitro.</summary>
    public required string Digest { get; init; }

    /// <summary>When the document was produced (milliseconds since the epoch in the document).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Platform configuration registers by index (<c>pcrs</c>, or <c>nitrotpm_pcrs</c> for NitroTPM documents).</summary>
    public required IReadOnlyDictionary<int, byte[]> Pcrs { get; init; }

    /// <summary>True for a NitroTPM document (<c>nitrotpm_pcrs</c>), false for a Nitro Enclaves one.</summary>
    public bool IsNitroTpm { get; init; }

    /// <summary>The signing certificate (leaf), DER.</summary>
    public required byte[] Certificate { get; init; }

    /// <summary>The CA bundle, root first, DER each.</summary>
    public required IReadOnlyList<byte[]> CaBundle { get; init; }

    /// <summary>The enclave's public key (a DER SubjectPublicKeyInfo for KMS recipients), or null.</summary>
    public byte[]? PublicKey { get; init; }

    public byte[]? UserData { get; init; }

    public byte[]? Nonce { get; init; }

    /// <summary>True in debug mode: PCR0 (the image measurement) is all zero, so the measurements prove nothing.</summary>
    public bool IsDebug => Pcrs.TryGetValue(0, out var pcr0) && pcr0.All(b => b == 0);

    /// <summary>PCR0, the SHA-384 of the enclave image file: what <c>kms:RecipientAttestation:ImageSha384</c> names.</summary>
    public byte[]? ImageSha384 => !IsNitroTpm && Pcrs.TryGetValue(0, out var pcr0) ? pcr0 : null;
}
