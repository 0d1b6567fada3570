namespace Keyhaven.Policy.Validation;

/// <summary>Severity of a validation finding, as in IAM Access Analyzer's policy validation.</summary>
public enum FindingType
{
    /// <summary>Part of the policy is not functional or the policy would be rejected.</summary>
    Error,

    /// <summary>The policy allows access that is considered overly permissive.</summary>
    SecurityWarning,

    /// <summary>The policy does not follow best practices (no security impact).</summary>
    Warning,

    /// <summary>A stylistic improvement that does not change access.</summary>
    Suggestion,
}
