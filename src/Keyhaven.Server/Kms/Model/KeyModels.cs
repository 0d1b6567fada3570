// Wire shapes of the key lifecycle operations, named and typed as in the KMS API model (kms-2014-11-01).
// Grouped in one file per feature: they are plain data with no behaviour.
namespace Keyhaven.Server.Kms.Model;

internal sealed record TagModel(string? TagKey, string? TagValue);

internal sealed record CreateKeyRequest(
    string? Policy, string? Description, string? KeyUsage, string? CustomerMasterKeySpec, string? KeySpec, string? Origin,
    string? CustomKeyStoreId, bool? BypassPolicyLockoutSafetyCheck, List<TagModel>? Tags, bool? MultiRegion, string? XksKeyId);

internal sealed record KeyMetadataModel
{
    public string? AWSAccountId { get; init; }
    public string? KeyId { get; init; }
    public string? Arn { get; init; }
    public DateTimeOffset? CreationDate { get; init; }
    public bool Enabled { get; init; }
    public string? Description { get; init; }
    public string? KeyUsage { get; init; }
    public string? KeyState { get; init; }
    public DateTimeOffset? DeletionDate { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public string? Origin { get; init; }
    public string? ExpirationModel { get; init; }
    public string? KeyManager { get; init; }
    public string? CustomerMasterKeySpec { get; init; }
    public string? KeySpec { get; init; }
    public List<string>? EncryptionAlgorithms { get; init; }
    public List<string>? SigningAlgorithms { get; init; }
    public List<string>? KeyAgreementAlgorithms { get; init; }
    public List<string>? MacAlgorithms { get; init; }
    public bool MultiRegion { get; init; }
    public MultiRegionConfigurationModel? MultiRegionConfiguration { get; init; }
    public int? PendingDeletionWindowInDays { get; init; }
    public string? CurrentKeyMaterialId { get; init; }
}

internal sealed record KeyMetadataResponse(KeyMetadataModel KeyMetadata);

internal sealed record KeyIdRequest(string? KeyId, List<string>? GrantTokens);

internal sealed record ListKeysRequest(int? Limit, string? Marker);

internal sealed record KeyListEntry(string KeyId, string KeyArn);

internal sealed record ListKeysResponse(List<KeyListEntry> Keys, string? NextMarker, bool Truncated);

internal sealed record UpdateKeyDescriptionRequest(string? KeyId, string? Description);

internal sealed record ScheduleKeyDeletionRequest(string? KeyId, int? PendingWindowInDays);

internal sealed record ScheduleKeyDeletionResponse(string KeyId, DateTimeOffset? DeletionDate, string KeyState, int? PendingWindowInDays);

internal sealed record CancelKeyDeletionResponse(string KeyId);

internal sealed record KeyLastUsageModel(string Operation, DateTimeOffset Timestamp, string? KmsRequestId);

internal sealed record GetKeyLastUsageResponse(string KeyId, KeyLastUsageModel? KeyLastUsage, DateTimeOffset TrackingStartDate, DateTimeOffset KeyCreationDate);
