using System.CommandLine;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Copying;

namespace Keyhaven.Cli.Commands;

/// <summary>
/// <c>keyhaven storage copy --from LOCATION --to LOCATION</c>: moves a deployment between backends (say from one node's
/// SQLite file to a PostgreSQL database for several nodes). A thin wrapper over <see cref="StorageCopy"/>.
/// </summary>
internal static class StorageCommand
{
    public static Command Create()
    {
        var command = new Command("storage", "Manage where Keyhaven keeps its records.");
        command.Subcommands.Add(CreateCopy());
        return command;
    }

    private static Command CreateCopy()
    {
        var from = new Option<string>("--from") { Description = "Source: sqlite://PATH, postgres://… or a PostgreSQL connection string.", Required = true };
        var to = new Option<string>("--to") { Description = "Destination (must be empty; its schema is created): the same forms.", Required = true };
        var command = new Command("copy",
            "Copy every record, still sealed, from one storage to another. Stop the servers first; the copy opens with the same root key file.")
        {
            from, to,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            StorageLocation source, destination;
            try
            {
                source = StorageLocation.Parse(parseResult.GetValue(from)!);
                destination = StorageLocation.Parse(parseResult.GetValue(to)!);
            }
            catch (FormatException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 2;
            }

            await using var reader = source.CreateBackend();
            await using var writer = destination.CreateBackend();
            try
            {
                await reader.InitializeAsync(cancellationToken);
                await writer.InitializeAsync(cancellationToken);
                var result = await StorageCopy.CopyAsync(reader, writer, cancellationToken);
                Console.WriteLine($"Copied {result.Records} records in {result.Tables} tables from {source} to {destination}.");
                return 0;
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.Data.Common.DbException)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 1;
            }
        });
        return command;
    }
}
