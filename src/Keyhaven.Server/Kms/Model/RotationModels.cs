// Wire shapes of the rotation operations (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record EnableKeyRotationRequest(string? KeyId, int? RotationPeriodInDays);

internal sealed record GetKeyRotationStatusResponse(bool KeyRotationEnabled, string KeyId, int? RotationPeriodInDays,
    DateTimeOffset? NextRotationDate, DateTimeOffset? OnDemandRotationStartDate);

internal sealed record RotateKeyOnDemandResponse(string KeyId);

internal sealed record ListKeyRotationsRequest(string? KeyId, string? IncludeKeyMaterial, int? Limit, string? Marker);

internal sealed record RotationsListEntry(string KeyId, string KeyMaterialId, DateTimeOffset RotationDate, string? RotationType, string KeyMaterialState);

internal sealed record ListKeyRotationsResponse(List<RotationsListEntry> Rotations, string? NextMarker, bool Truncated);
