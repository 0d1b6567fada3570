namespace Keyhaven.Server.Kms.Model;

/// <summary>KMS <c>RecipientInfo</c>: the attestation document of the enclave to seal the response to, and the algorithm.</summary>
internal sealed record RecipientInfo(string? KeyEncryptionAlgorithm, byte[]? AttestationDocument);
