using System.CommandLine;

namespace Keyhaven.Cli.Commands.Analyze;

/// <summary>The options every <c>keyhaven analyze</c> command shares: where the data is, the network configuration, and the output form.</summary>
internal sealed class AnalyzeOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "Data directory of the server.", DefaultValueFactory = _ => "./keyhaven-data" };
    public Option<string?> RootKey { get; } = new("--root-key") { Description = "Root key file (default: DATA/root.key)." };
    public Option<string?> Config { get; } = new("--config") { Description = "The server's network configuration, for its federated group-to-role mappings." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of a table." };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(RootKey);
        command.Options.Add(Config);
        command.Options.Add(Json);
    }
}
