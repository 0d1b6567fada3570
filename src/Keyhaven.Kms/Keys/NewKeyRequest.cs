namespace Keyhaven.Kms.Keys;

/// <summary>What CreateKey asks for; null members take AWS's defaults.</summary>
public sealed record NewKeyRequest(string? Description, string? Policy, IReadOnlyList<KeyTag>? Tags);
