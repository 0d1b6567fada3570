using Keyhaven.Server.Governance;

namespace Keyhaven.Cli.Commands.Analyze;

/// <summary>Prints a key-access report: one line per principal, then its conditions, restrictions or reason indented.</summary>
internal static class KeyAccessTable
{
    public static void Print(KeyAccessReport report)
    {
        Console.WriteLine($"Who can {report.Action} with {report.KeyArn}:");
        Console.WriteLine(string.Join("  ", "OUTCOME".PadRight(23), "TYPE".PadRight(14), "PRINCIPAL".PadRight(60), "DECIDED BY"));
        foreach (var entry in report.Entries)
        {
            Console.WriteLine(string.Join("  ", GovernanceJson.OutcomeName(entry.Outcome).PadRight(23), entry.Principal.Type.PadRight(14),
                entry.Principal.Display.PadRight(60), entry.Statement is null ? entry.Layer : $"{entry.Layer} {entry.Statement}"));
            foreach (var condition in entry.Conditions)
            {
                Console.WriteLine($"    if {condition}");
            }

            foreach (var restriction in entry.Restrictions)
            {
                Console.WriteLine($"    {restriction}");
            }

            if (entry.Outcome == KeyAccessOutcome.Denied)
            {
                Console.WriteLine($"    {entry.Reason}");
            }
        }

        var allowed = report.Entries.Count(e => e.Outcome == KeyAccessOutcome.Allowed);
        var conditional = report.Entries.Count(e => e.Outcome == KeyAccessOutcome.AllowedWithConditions);
        Console.WriteLine($"{allowed} allowed, {conditional} allowed under conditions, {report.Entries.Count - allowed - conditional} denied.");
    }
}
