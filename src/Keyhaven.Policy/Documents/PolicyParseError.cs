namespace Keyhaven.Policy.Documents;

/// <summary>A precise reason a policy document was rejected.</summary>
/// <param name="Code">A stable upper-case issue code, e.g. <c>MISSING_EFFECT</c>, <c>INVALID_CONDITION_OPERATOR</c>.</param>
/// <param name="Path">A JSON path to the offending element, e.g. <c>$.Statement[1].Condition.StringEquals</c>.</param>
/// <param name="Message">One sentence; user input appears in backticks.</param>
public sealed record PolicyParseError(string Code, string Path, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Message} ({Code})";
}
