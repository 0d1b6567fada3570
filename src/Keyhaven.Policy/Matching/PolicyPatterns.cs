namespace Keyhaven.Policy.Matching;

/// <summary>
/// The engine's own matching of <c>Action</c> and <c>Resource</c> entries, for code that reasons about policy documents
/// outside an evaluation (governance analysis): the same wildcards, case rules and ARN segments as a decision uses.
/// Policy variables match nothing here (there is no request to take their values from).
/// </summary>
public static class PolicyPatterns
{
    /// <summary>Whether the <c>Action</c>/<c>NotAction</c> entry <paramref name="pattern"/> names <paramref name="action"/> (case-insensitive).</summary>
    public static bool MatchesAction(string pattern, string action)
    {
        var unresolved = false;
        return PatternCompiler.TryCompile(pattern, PatternSyntax.Wildcards | PatternSyntax.IgnoreCase, out var compiled, out _)
            && compiled.Match(action, null, ref unresolved);
    }

    /// <summary>Whether the <c>Resource</c>/<c>NotResource</c> entry <paramref name="pattern"/> names the ARN <paramref name="arn"/> (segment by segment, case-sensitive).</summary>
    public static bool MatchesResource(string pattern, string arn)
    {
        var unresolved = false;
        return ResourcePattern.TryCompile(pattern, variables: false, out var compiled, out _) && compiled.Match(arn, null, ref unresolved);
    }
}
