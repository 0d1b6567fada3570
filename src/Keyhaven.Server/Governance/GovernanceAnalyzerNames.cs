namespace Keyhaven.Server.Governance;

/// <summary>The names of the analyzers on the command line and in the API: <c>external-access</c>, <c>separation-of-duties</c>, <c>policy-validation</c>, <c>compliance</c>.</summary>
public static class GovernanceAnalyzerNames
{
    public static readonly IReadOnlyDictionary<string, GovernanceAnalyzers> ByName = new Dictionary<string, GovernanceAnalyzers>(StringComparer.Ordinal)
    {
        ["external-access"] = GovernanceAnalyzers.ExternalAccess,
        ["separation-of-duties"] = GovernanceAnalyzers.SeparationOfDuties,
        ["policy-validation"] = GovernanceAnalyzers.PolicyValidation,
        ["compliance"] = GovernanceAnalyzers.Compliance,
    };

    /// <summary>The analyzers <paramref name="names"/> list; every analyzer when the list is empty.</summary>
    /// <exception cref="ArgumentException">A name is not an analyzer's.</exception>
    public static GovernanceAnalyzers Parse(IEnumerable<string> names)
    {
        var analyzers = GovernanceAnalyzers.None;
        foreach (var name in names)
        {
            analyzers |= ByName.TryGetValue(name, out var one) ? one
                : throw new ArgumentException($"`{name}` is not an analyzer: expected {string.Join(", ", ByName.Keys)}.", nameof(names));
        }

        return analyzers == GovernanceAnalyzers.None ? GovernanceAnalyzers.All : analyzers;
    }
}
