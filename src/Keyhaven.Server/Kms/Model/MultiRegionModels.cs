// Wire shapes of the multi-Region key operations, named and typed as in the KMS API model (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record MultiRegionKeyModel(string Arn, string Region);

internal sealed record MultiRegionConfigurationModel(string MultiRegionKeyType, MultiRegionKeyModel PrimaryKey, List<MultiRegionKeyModel> ReplicaKeys);

internal sealed record ReplicateKeyRequest(string? KeyId, string? ReplicaRegion, string? Policy, bool? BypassPolicyLockoutSafetyCheck, string? Description,
    List<TagModel>? Tags);

internal sealed record ReplicateKeyResponse(KeyMetadataModel ReplicaKeyMetadata, string ReplicaPolicy, List<TagModel> ReplicaTags);

internal sealed record UpdatePrimaryRegionRequest(string? KeyId, string? PrimaryRegion);
