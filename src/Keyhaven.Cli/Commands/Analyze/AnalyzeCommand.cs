using System.CommandLine;
using System.Text.Json;
using Keyhaven.Cli.Commands.Offline;
using Keyhaven.Server.Governance;
using Keyhaven.Server.Network;

namespace Keyhaven.Cli.Commands.Analyze;

/// <summary>
/// <c>keyhaven analyze …</c>: governance findings over a data directory (external access, separation of duties, policy
/// validation, compliance) and "who can use this key". Thin wrappers: the analysis lives in
/// <c>Keyhaven.Server/Governance</c>, the same the server's <c>KeyhavenGovernance</c> API answers with.
/// </summary>
internal static class AnalyzeCommand
{
    /// <summary>Exit code for bad options or a data directory that cannot be opened.</summary>
    private const int UsageError = 2;

    public static Command Create()
    {
        var command = new Command("analyze", "Governance analysis of the keys and policies of a data directory. Exit 0 with or without findings.");
        command.Subcommands.Add(CreateFindings("all", "Run every analyzer.", GovernanceAnalyzers.All));
        command.Subcommands.Add(CreateFindings("external-access", "Keys whose key policy or grants reach principals outside their organization (or account), and public keys.",
            GovernanceAnalyzers.ExternalAccess));
        command.Subcommands.Add(CreateFindings("separation-of-duties", "Principals that can both administer and use a key.", GovernanceAnalyzers.SeparationOfDuties));
        command.Subcommands.Add(CreateFindings("policy-validation", "The policy validator over every stored policy.", GovernanceAnalyzers.PolicyValidation));
        command.Subcommands.Add(CreateFindings("compliance",
            "Symmetric keys without rotation, keys pending deletion still in use, kms:* on *, keys without an administrator, grants without constraints, unused keys and roles.",
            GovernanceAnalyzers.Compliance));
        command.Subcommands.Add(CreateKeyAccess());
        return command;
    }

    private static Command CreateFindings(string name, string description, GovernanceAnalyzers analyzers)
    {
        var options = new AnalyzeOptions();
        var unusedDays = new Option<int>("--unused-days") { Description = "A key or role with no audit event for this many days is unused.", DefaultValueFactory = _ => 90 };
        var recentDays = new Option<int>("--recent-days") { Description = "Report keys pending deletion used within this many days.", DefaultValueFactory = _ => 30 };
        var command = new Command(name, description);
        options.AddTo(command);
        command.Options.Add(unusedDays);
        command.Options.Add(recentDays);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, async analysis =>
        {
            var report = await analysis.AnalyzeAsync(new GovernanceOptions
            {
                Analyzers = analyzers, UnusedDays = result.GetValue(unusedDays), RecentUseDays = result.GetValue(recentDays),
            }, cancellationToken);
            if (result.GetValue(options.Json))
            {
                WriteJson(writer => GovernanceJson.Write(writer, report));
            }
            else
            {
                FindingsTable.Print(report);
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateKeyAccess()
    {
        var options = new AnalyzeOptions();
        var key = new Option<string>("--key") { Description = "The key: its id or ARN.", Required = true };
        var action = new Option<string>("--action") { Description = "The KMS action, e.g. kms:Decrypt.", DefaultValueFactory = _ => "kms:Decrypt" };
        var command = new Command("key-access",
            "Who can use a key: every known principal (account roots, users, roles, federated group mappings), allowed, allowed only under conditions, or denied, by the server's own authorization.");
        options.AddTo(command);
        command.Options.Add(key);
        command.Options.Add(action);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, async analysis =>
        {
            var report = await analysis.WhoCanUseAsync(result.GetValue(key)!, result.GetValue(action)!, cancellationToken: cancellationToken);
            if (result.GetValue(options.Json))
            {
                WriteJson(writer => GovernanceJson.Write(writer, report));
            }
            else
            {
                KeyAccessTable.Print(report);
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static void WriteJson(Action<Utf8JsonWriter> write)
    {
        using var output = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        output.Write("\n"u8);
    }

    private static async Task<int> RunAsync(AnalyzeOptions options, ParseResult result, Func<GovernanceAnalysis, Task<int>> run, CancellationToken cancellationToken)
    {
        NetworkConfiguration? network = null;
        OfflineDeployment data;
        try
        {
            network = result.GetValue(options.Config) is { } path ? NetworkConfiguration.Load(path) : null;
            data = await options.Deployment.OpenAsync(result, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException || DeploymentOptions.IsOpenFailure(exception))
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return UsageError;
        }

        await using (data)
        {
            try
            {
                return await run(GovernanceAnalysis.Open(data.Records, network));
            }
            catch (Exception exception) when (exception is ArgumentException or KeyNotFoundException)
            {
                await Console.Error.WriteLineAsync(exception.Message.Split(" (Parameter")[0]);
                return UsageError;
            }
        }
    }
}
