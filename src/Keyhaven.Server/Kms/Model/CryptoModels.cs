// Wire shapes of the cryptographic operations (kms-2014-11-01). Blobs are byte arrays, base64 on the wire.
namespace Keyhaven.Server.Kms.Model;

internal sealed record EncryptRequest(string? KeyId, byte[]? Plaintext, Dictionary<string, string>? EncryptionContext,
    List<string>? GrantTokens, string? EncryptionAlgorithm, bool? DryRun);

internal sealed record EncryptResponse(byte[] CiphertextBlob, string KeyId, string EncryptionAlgorithm);

internal sealed record DecryptRequest(byte[]? CiphertextBlob, Dictionary<string, string>? EncryptionContext, List<string>? GrantTokens,
    string? KeyId, string? EncryptionAlgorithm, bool? DryRun, RecipientInfoModel? Recipient = null);

internal sealed record DecryptResponse(string KeyId, byte[]? Plaintext, string EncryptionAlgorithm, byte[]? CiphertextForRecipient = null);

internal sealed record ReEncryptRequest(byte[]? CiphertextBlob, Dictionary<string, string>? SourceEncryptionContext, string? SourceKeyId,
    string? DestinationKeyId, Dictionary<string, string>? DestinationEncryptionContext, string? SourceEncryptionAlgorithm,
    string? DestinationEncryptionAlgorithm, List<string>? GrantTokens, bool? DryRun);

internal sealed record ReEncryptResponse(byte[] CiphertextBlob, string SourceKeyId, string KeyId, string SourceEncryptionAlgorithm,
    string DestinationEncryptionAlgorithm);

internal sealed record GenerateDataKeyRequest(string? KeyId, Dictionary<string, string>? EncryptionContext, int? NumberOfBytes, string? KeySpec,
    List<string>? GrantTokens, bool? DryRun, RecipientInfoModel? Recipient = null);

internal sealed record GenerateDataKeyResponse(byte[] CiphertextBlob, byte[]? Plaintext, string KeyId, byte[]? CiphertextForRecipient = null);

internal sealed record GenerateDataKeyWithoutPlaintextResponse(byte[] CiphertextBlob, string KeyId);

internal sealed record GenerateRandomRequest(int? NumberOfBytes, string? CustomKeyStoreId, RecipientInfoModel? Recipient = null);

internal sealed record GenerateRandomResponse(byte[]? Plaintext, byte[]? CiphertextForRecipient = null);

internal sealed record GenerateDataKeyPairRequest(Dictionary<string, string>? EncryptionContext, string? KeyId, string? KeyPairSpec,
    List<string>? GrantTokens, RecipientInfoModel? Recipient, bool? DryRun);

internal sealed record GenerateDataKeyPairResponse(byte[] PrivateKeyCiphertextBlob, byte[]? PrivateKeyPlaintext, byte[] PublicKey, string KeyId,
    string KeyPairSpec, string KeyMaterialId, byte[]? CiphertextForRecipient = null);

internal sealed record GenerateDataKeyPairWithoutPlaintextResponse(byte[] PrivateKeyCiphertextBlob, byte[] PublicKey, string KeyId, string KeyPairSpec,
    string KeyMaterialId);
