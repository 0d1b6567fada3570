// Wire shapes of DeriveSharedSecret (kms-2014-11-01). Recipient (Nitro Enclaves attestation) is read only to refuse it.
namespace Keyhaven.Server.Kms.Model;

internal sealed record RecipientInfoModel(string? KeyEncryptionAlgorithm, byte[]? AttestationDocument);

internal sealed record DeriveSharedSecretRequest(string? KeyId, string? KeyAgreementAlgorithm, byte[]? PublicKey, List<string>? GrantTokens, bool? DryRun,
    RecipientInfoModel? Recipient);

internal sealed record DeriveSharedSecretResponse(string KeyId, byte[] SharedSecret, string KeyAgreementAlgorithm, string KeyOrigin);
