namespace Keyhaven.Policy.Documents;

/// <summary>
/// Hard input limits applied by <see cref="PolicyParser"/> before and during parsing. A document longer than
/// <see cref="MaxDocumentChars"/> is refused with <c>DOCUMENT_TOO_LONG</c> (the raw text, whitespace included); the
/// per-type quotas on non-whitespace characters are <see cref="Validation.PolicyValidator"/>'s <c>POLICY_SIZE_EXCEEDED</c>.
/// </summary>
/// <param name="MaxDocumentChars">Maximum length of the document text in UTF-16 code units (AWS KMS key policies: 32 KB).</param>
/// <param name="MaxStatements">Maximum number of statements.</param>
/// <param name="MaxDepth">Maximum JSON nesting depth.</param>
public sealed record PolicyLimits(int MaxDocumentChars, int MaxStatements, int MaxDepth)
{
    /// <summary>32,768 characters, 1,000 statements, depth 16: generous for any AWS policy type.</summary>
    public static PolicyLimits Default { get; } = new(32_768, 1_000, 16);

    /// <summary>IAM policy documents: the IAM API model's <c>policyDocumentType</c> is at most 131,072 characters.</summary>
    // spec: aws-models/iam.json policyDocumentType (length 1..131072)
    public static PolicyLimits Iam { get; } = new(131_072, 1_000, 16);

    /// <summary>
    /// Documents a server has already accepted, for compiling them when a request is authorized: every input path checks
    /// its type's stricter limit before storing, and a role session's session policies combined into one document (the
    /// inline policy and up to 10 managed ones, each within <see cref="Iam"/>) fit in 11 such documents. Compilation must
    /// never refuse what input accepted: that would deny every request of the principal.
    /// </summary>
    public static PolicyLimits Stored { get; } = new(11 * 131_072, 11 * 1_000, 16);
}
