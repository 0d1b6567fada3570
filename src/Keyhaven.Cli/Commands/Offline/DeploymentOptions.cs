using System.CommandLine;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Cli.Commands.Offline;

/// <summary>The options that name an existing deployment for the offline tools: its data directory, its root key and where its records are.</summary>
internal sealed class DeploymentOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "Data directory of the server.", DefaultValueFactory = _ => "./keyhaven-data" };

    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = $"Where the records are, as given to `keyhaven serve --storage` (default: ${ServeCommand.StorageVariable}, else DATA/keyhaven.db).",
    };

    public Option<string?> RootKey { get; } = new("--root-key") { Description = "Root key file (default: DATA/root.key)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Storage);
        command.Options.Add(RootKey);
    }

    /// <summary>Opens the deployment the options name.</summary>
    /// <exception cref="FormatException">The storage location is not one.</exception>
    /// <exception cref="FileNotFoundException">The root key or the SQLite database does not exist.</exception>
    /// <exception cref="InvalidDataException">The database holds no deployment.</exception>
    /// <exception cref="Keyhaven.Storage.Barrier.BarrierIntegrityException">The root key does not open it.</exception>
    /// <exception cref="System.Data.Common.DbException">PostgreSQL cannot be reached.</exception>
    public Task<OfflineDeployment> OpenAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var storage = (result.GetValue(Storage) ?? Environment.GetEnvironmentVariable(ServeCommand.StorageVariable)) is { Length: > 0 } location
            ? StorageLocation.Parse(location)
            : null;
        return OfflineDeployment.OpenAsync(result.GetValue(Data)!, result.GetValue(RootKey), storage, cancellationToken);
    }

    /// <summary>True for the exceptions <see cref="OpenAsync"/> reports as a usage error (exit 2, the message on stderr).</summary>
    public static bool IsOpenFailure(Exception exception) =>
        exception is FormatException or FileNotFoundException or InvalidDataException or Keyhaven.Storage.Barrier.BarrierIntegrityException
            or System.Data.Common.DbException;
}
