namespace Keyhaven.Policy.Validation;

/// <summary>One validation finding.</summary>
/// <param name="Type">Severity.</param>
/// <param name="IssueCode">A stable upper-case code, e.g. <c>FORALLVALUES_WITH_SINGLE_VALUED_KEY</c>.</param>
/// <param name="Path">JSON path of the element concerned.</param>
/// <param name="Message">One sentence; user input in backticks.</param>
public sealed record ValidationFinding(FindingType Type, string IssueCode, string Path, string Message)
{
    /// <summary>The finding type as Access Analyzer spells it (<c>ERROR</c>, <c>SECURITY_WARNING</c>, <c>WARNING</c>, <c>SUGGESTION</c>).</summary>
    public string TypeName => Type switch
    {
        FindingType.Error => "ERROR",
        FindingType.SecurityWarning => "SECURITY_WARNING",
        FindingType.Warning => "WARNING",
        _ => "SUGGESTION",
    };

    /// <inheritdoc/>
    public override string ToString() => $"{TypeName} {IssueCode} {Path}: {Message}";
}
