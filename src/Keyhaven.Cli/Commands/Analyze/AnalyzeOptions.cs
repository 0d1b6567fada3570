using System.CommandLine;
using Keyhaven.Cli.Commands.Offline;

namespace Keyhaven.Cli.Commands.Analyze;

/// <summary>The options every <c>keyhaven analyze</c> command shares: where the data is, the network configuration, and the output form.</summary>
internal sealed class AnalyzeOptions
{
    public DeploymentOptions Deployment { get; } = new();
    public Option<string?> Config { get; } = new("--config") { Description = "The server's network configuration, for its federated group-to-role mappings." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of a table." };

    public void AddTo(Command command)
    {
        Deployment.AddTo(command);
        command.Options.Add(Config);
        command.Options.Add(Json);
    }
}
