namespace Keyhaven.Policy.Documents;

/// <summary>Hard input limits applied by <see cref="PolicyParser"/> before and during parsing.</summary>
/// <param name="MaxDocumentChars">Maximum length of the document text in UTF-16 code units (AWS KMS key policies: 32 KB).</param>
/// <param name="MaxStatements">Maximum number of statements.</param>
/// <param name="MaxDepth">Maximum JSON nesting depth.</param>
public sealed record PolicyLimits(int MaxDocumentChars, int MaxStatements, int MaxDepth)
{
    /// <summary>32,768 characters, 1,000 statements, depth 16: generous for any AWS policy type.</summary>
    public static PolicyLimits Default { get; } = new(32_768, 1_000, 16);
}
