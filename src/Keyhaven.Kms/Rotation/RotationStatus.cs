using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Rotation;

/// <summary>What GetKeyRotationStatus reports.</summary>
public sealed record RotationStatus(KmsKey Key, bool Enabled, int? RotationPeriodInDays, DateTimeOffset? NextRotationDate, DateTimeOffset? OnDemandRotationStartDate);
