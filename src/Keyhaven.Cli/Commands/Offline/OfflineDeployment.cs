using Keyhaven.Server.Hosting;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;

namespace Keyhaven.Cli.Commands.Offline;

/// <summary>
/// An existing deployment opened by the offline tools (audit, analyze), while servers run on it or not: the root key from the
/// data directory, the records from its SQLite file (WAL lets readers in beside the writer) or from the PostgreSQL
/// database the nodes share. Refuses a deployment that was never initialized rather than creating one.
/// </summary>
internal sealed class OfflineDeployment : IAsyncDisposable
{
    private OfflineDeployment(IStorageBackend backend, StorageBarrier barrier)
    {
        Backend = backend;
        Barrier = barrier;
        Records = new RecordStore(backend, barrier);
    }

    public IStorageBackend Backend { get; }
    public StorageBarrier Barrier { get; }
    public RecordStore Records { get; }

    /// <param name="storage">Where the records are; null: the SQLite database in the data directory.</param>
    /// <exception cref="FileNotFoundException">The root key or the SQLite database does not exist.</exception>
    /// <exception cref="InvalidDataException">The database holds no deployment sealed by this root key.</exception>
    public static async Task<OfflineDeployment> OpenAsync(string dataDirectory, string? rootKeyPath, StorageLocation? storage, CancellationToken cancellationToken)
    {
        var options = new KeyhavenServerOptions { DataDirectory = dataDirectory, RootKeyPath = rootKeyPath, Storage = storage };
        var required = storage is null ? new[] { options.DatabasePath, options.ResolvedRootKeyPath } : [options.ResolvedRootKeyPath];
        foreach (var path in required)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"`{path}` does not exist: is `{dataDirectory}` a Keyhaven data directory?", path);
            }
        }

        using var rootKey = RootKey.LoadOrCreate(options.ResolvedRootKeyPath);
        var backend = options.ResolvedStorage.CreateBackend();
        try
        {
            if (storage is { IsPostgres: true })
            {
                await backend.InitializeAsync(cancellationToken); // the schema, as the nodes migrate it
            }

            return new OfflineDeployment(backend, await StorageBarrier.OpenExistingAsync(backend, rootKey, cancellationToken));
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        Barrier.Dispose();
    }
}
