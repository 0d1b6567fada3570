using Keyhaven.Server.Governance;

namespace Keyhaven.Cli.Commands.Analyze;

/// <summary>Prints findings as a table: one line per finding, then its description and remediation indented.</summary>
internal static class FindingsTable
{
    public static void Print(GovernanceReport report)
    {
        Console.WriteLine(string.Join("  ", "SEVERITY".PadRight(13), "RULE".PadRight(34), "RESOURCE".PadRight(70), "PRINCIPAL".PadRight(50), "STATEMENT"));
        foreach (var finding in report.Findings)
        {
            Console.WriteLine(string.Join("  ", GovernanceJson.SeverityName(finding.Severity).PadRight(13), finding.Rule.PadRight(34), finding.Resource.PadRight(70),
                (finding.Principal ?? "-").PadRight(50), finding.Statement ?? "-"));
            Console.WriteLine($"    {finding.Id}: {finding.Description}");
            Console.WriteLine($"    Remediation: {finding.Remediation}");
        }

        var counts = report.Findings.GroupBy(f => f.Severity).OrderBy(g => g.Key).Select(g => $"{g.Count()} {GovernanceJson.SeverityName(g.Key).ToLowerInvariant()}");
        Console.WriteLine(report.Findings.Count == 0 ? "No findings." : $"{report.Findings.Count} findings: {string.Join(", ", counts)}.");
    }
}
