// Wire shapes of DeriveSharedSecret (kms-2014-11-01), and the Recipient (Nitro Enclaves attestation) of every operation that takes one.
namespace Keyhaven.Server.Kms.Model;

internal sealed record RecipientInfoModel(string? KeyEncryptionAlgorithm, byte[]? AttestationDocument);

internal sealed record DeriveSharedSecretRequest(string? KeyId, string? KeyAgreementAlgorithm, byte[]? PublicKey, List<string>? GrantTokens, bool? DryRun,
    RecipientInfoModel? Recipient);

internal sealed record DeriveSharedSecretResponse(string KeyId, byte[]? SharedSecret, string KeyAgreementAlgorithm, string KeyOrigin, byte[]? CiphertextForRecipient = null);
