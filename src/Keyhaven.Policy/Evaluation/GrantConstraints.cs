namespace Keyhaven.Policy.Evaluation;

/// <summary>KMS grant constraints on the request's encryption context (keys and values case-sensitive).</summary>
/// <param name="EncryptionContextEquals">When set, the request's encryption context must equal this map exactly.</param>
/// <param name="EncryptionContextSubset">When set, the request's encryption context must contain every pair of this map.</param>
public sealed record GrantConstraints(
    IReadOnlyDictionary<string, string>? EncryptionContextEquals = null,
    IReadOnlyDictionary<string, string>? EncryptionContextSubset = null);
