using System.CommandLine;
using Keyhaven.Policy.Simulation;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Cli.Commands;

/// <summary>
/// <c>keyhaven policy validate FILE [--type ...]</c> and <c>keyhaven policy simulate CASE.json [--explain]</c>.
/// A thin wrapper: reading the file is the only thing done here; all logic lives in Keyhaven.Policy.
/// </summary>
internal static class PolicyCommand
{
    /// <summary>Exit code for a file that cannot be read or parsed.</summary>
    private const int UnreadableInput = 2;

    public static Command Create()
    {
        var command = new Command("policy", "Validate IAM policies and simulate authorization decisions offline.");
        command.Subcommands.Add(CreateValidate());
        command.Subcommands.Add(CreateSimulate());
        return command;
    }

    private static Command CreateValidate()
    {
        var file = new Argument<FileInfo>("file") { Description = "The policy document (JSON)." };
        var type = new Option<string>("--type") { Description = "Policy type: identity, resource, scp, rcp or trust.", DefaultValueFactory = _ => "identity" };
        var command = new Command("validate", "Print validation findings (ERROR, SECURITY_WARNING, WARNING, SUGGESTION) as JSON; exit 1 when there is an ERROR.");
        command.Arguments.Add(file);
        command.Options.Add(type);
        command.SetAction(parseResult =>
        {
            if (!PolicyValidator.TryParsePolicyType(parseResult.GetValue(type), out var policyType))
            {
                Console.Error.WriteLine($"`{parseResult.GetValue(type)}` is not a policy type (expected identity, resource, scp, rcp or trust).");
                return UnreadableInput;
            }

            if (!TryRead(parseResult.GetValue(file), out var text))
            {
                return UnreadableInput;
            }

            var findings = PolicyValidator.Validate(text, policyType);
            Console.WriteLine(PolicyValidator.ToJson(findings));
            return findings.Any(f => f.Type == FindingType.Error) ? 1 : 0;
        });
        return command;
    }

    private static Command CreateSimulate()
    {
        var file = new Argument<FileInfo>("case") { Description = "The simulation case (JSON; see docs/policy-engine.md)." };
        var explain = new Option<bool>("--explain") { Description = "Also list every statement evaluated and whether it applied." };
        var command = new Command("simulate", "Decide a request against the given policies; print {\"result\": ...} and exit 0 whatever the decision.");
        command.Arguments.Add(file);
        command.Options.Add(explain);
        command.SetAction(parseResult =>
        {
            if (!TryRead(parseResult.GetValue(file), out var text))
            {
                return UnreadableInput;
            }

            var output = PolicySimulator.Simulate(text, parseResult.GetValue(explain));
            (output.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(output.Json);
            return output.ExitCode;
        });
        return command;
    }

    private static bool TryRead(FileInfo? file, out string text)
    {
        text = string.Empty;
        if (file is null)
        {
            Console.Error.WriteLine("No file given.");
            return false;
        }

        try
        {
            if (file.Length > SimulationCase.MaxCaseChars * 4L)
            {
                Console.Error.WriteLine($"`{file.FullName}` is larger than {SimulationCase.MaxCaseChars * 4L} bytes.");
                return false;
            }

            text = File.ReadAllText(file.FullName);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot read `{file.FullName}`: {ex.Message}");
            return false;
        }
    }
}
