using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Policy.Documents;

/// <summary>The outcome of <see cref="PolicyParser.Parse(string, PolicyLimits?)"/>: a document, or every error found.</summary>
public sealed class PolicyParseResult
{
    internal PolicyParseResult(PolicyDocument? document, IReadOnlyList<PolicyParseError> errors)
    {
        // INVARIANT: exactly one of "document" and "at least one error".
        System.Diagnostics.Debug.Assert((document is null) == (errors.Count > 0));
        Document = document;
        Errors = errors;
    }

    /// <summary>The parsed document, or null when there are errors.</summary>
    public PolicyDocument? Document { get; }

    /// <summary>Every error found (empty on success).</summary>
    public IReadOnlyList<PolicyParseError> Errors { get; }

    /// <summary><see langword="true"/> when <see cref="Document"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Document))]
    public bool IsSuccess => Document is not null;
}
