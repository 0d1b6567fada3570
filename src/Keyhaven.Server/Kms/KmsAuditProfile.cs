using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Kms;

/// <summary>
/// What the audit trail records of each KMS operation, following what CloudTrail records for AWS KMS: key ids,
/// encryption contexts, algorithms, policies, tags and grant parameters; never plaintexts, ciphertexts, data keys,
/// public keys or grant tokens (a token carries its grant's MAC and tells a reader of the trail nothing it needs).
/// Responses of reads and cryptographic operations are not recorded.
/// </summary>
internal static class KmsAuditProfile
{
    private const string Crypto = "KeyId EncryptionContext EncryptionAlgorithm DryRun";

    public static readonly AuditProfile Instance = new("kms.amazonaws.com", AuditProtocol.Json, "KMSInternalException",
    [
        // CloudTrail: a Decrypt event "always includes the encryptionAlgorithm in the requestParameters even if the
        // encryption algorithm wasn't specified in the request"; so do Encrypt's and ReEncrypt's.
        Of("Encrypt", Crypto, readOnly: true, defaults: "EncryptionAlgorithm=" + KmsContext.SymmetricDefault),
        Of("Decrypt", Crypto, readOnly: true, defaults: "EncryptionAlgorithm=" + KmsContext.SymmetricDefault),
        Of("ReEncrypt", "SourceKeyId DestinationKeyId SourceEncryptionContext DestinationEncryptionContext SourceEncryptionAlgorithm DestinationEncryptionAlgorithm DryRun", readOnly: true,
            defaults: $"SourceEncryptionAlgorithm={KmsContext.SymmetricDefault} DestinationEncryptionAlgorithm={KmsContext.SymmetricDefault}"),
        Of("GenerateDataKey", "KeyId KeySpec NumberOfBytes EncryptionContext DryRun", readOnly: true),
        Of("GenerateDataKeyWithoutPlaintext", "KeyId KeySpec NumberOfBytes EncryptionContext DryRun", readOnly: true),
        Of("GenerateDataKeyPair", "KeyId KeyPairSpec EncryptionContext DryRun", readOnly: true),
        Of("GenerateDataKeyPairWithoutPlaintext", "KeyId KeyPairSpec EncryptionContext DryRun", readOnly: true),
        Of("GenerateRandom", "NumberOfBytes CustomKeyStoreId", readOnly: true),
        Of("Sign", "KeyId MessageType SigningAlgorithm DryRun", readOnly: true),
        Of("Verify", "KeyId MessageType SigningAlgorithm DryRun", readOnly: true),
        Of("GenerateMac", "KeyId MacAlgorithm DryRun", readOnly: true),
        Of("VerifyMac", "KeyId MacAlgorithm DryRun", readOnly: true),
        Of("GetPublicKey", "KeyId"),
        // Never the caller's public key, the recipient's attestation document or the derived secret.
        Of("DeriveSharedSecret", "KeyId KeyAgreementAlgorithm DryRun", readOnly: true),
        Of("CreateKey", "Description KeyUsage KeySpec CustomerMasterKeySpec Origin MultiRegion Policy BypassPolicyLockoutSafetyCheck Tags CustomKeyStoreId XksKeyId",
            "KeyMetadata"),
        Of("DescribeKey", "KeyId"),
        Of("ListKeys", "Limit Marker"),
        Of("EnableKey", "KeyId"),
        Of("DisableKey", "KeyId"),
        Of("UpdateKeyDescription", "KeyId Description"),
        Of("ScheduleKeyDeletion", "KeyId PendingWindowInDays", "KeyId DeletionDate KeyState PendingWindowInDays"),
        Of("CancelKeyDeletion", "KeyId", "KeyId"),
        Of("EnableKeyRotation", "KeyId RotationPeriodInDays"),
        Of("DisableKeyRotation", "KeyId"),
        Of("GetKeyRotationStatus", "KeyId"),
        Of("RotateKeyOnDemand", "KeyId", "KeyId"),
        Of("ListKeyRotations", "KeyId Limit Marker"),
        Of("GetKeyPolicy", "KeyId PolicyName"),
        Of("PutKeyPolicy", "KeyId PolicyName Policy BypassPolicyLockoutSafetyCheck"),
        Of("ListKeyPolicies", "KeyId Limit Marker"),
        Of("CreateAlias", "AliasName TargetKeyId"),
        Of("UpdateAlias", "AliasName TargetKeyId"),
        Of("DeleteAlias", "AliasName"),
        Of("ListAliases", "KeyId Limit Marker"),
        Of("TagResource", "KeyId Tags"),
        Of("UntagResource", "KeyId TagKeys"),
        Of("ListResourceTags", "KeyId Limit Marker"),
        Of("CreateGrant", "KeyId GranteePrincipal RetiringPrincipal Operations Constraints Name DryRun", "GrantId"),
        Of("ListGrants", "KeyId GrantId GranteePrincipal Limit Marker"),
        Of("ListRetirableGrants", "RetiringPrincipal Limit Marker"),
        Of("RetireGrant", "KeyId GrantId DryRun"),
        Of("RevokeGrant", "KeyId GrantId DryRun"),
        Of("ReplicateKey", "KeyId ReplicaRegion Policy BypassPolicyLockoutSafetyCheck Description Tags", "ReplicaKeyMetadata"),
        Of("UpdatePrimaryRegion", "KeyId PrimaryRegion"),
        // Never the import token, the wrapping public key or the (wrapped) key material.
        Of("GetParametersForImport", "KeyId WrappingAlgorithm WrappingKeySpec"),
        Of("ImportKeyMaterial", "KeyId ValidTo ExpirationModel ImportType KeyMaterialDescription KeyMaterialId", "KeyId KeyMaterialId"),
        Of("DeleteImportedKeyMaterial", "KeyId KeyMaterialId", "KeyId KeyMaterialId"),
        Of("GetKeyLastUsage", "KeyId"),
    ]);
}
