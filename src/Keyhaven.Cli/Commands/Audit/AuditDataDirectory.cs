using Keyhaven.Server.Hosting;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Cli.Commands.Audit;

/// <summary>
/// An existing data directory opened for reading the audit trail, while a server runs on it or not (SQLite's WAL
/// lets readers in beside the writer). Refuses a directory that was never initialized rather than creating one.
/// </summary>
internal sealed class AuditDataDirectory : IAsyncDisposable
{
    private AuditDataDirectory(SqliteStorageBackend backend, StorageBarrier barrier)
    {
        Backend = backend;
        Barrier = barrier;
        Records = new RecordStore(backend, barrier);
    }

    public SqliteStorageBackend Backend { get; }
    public StorageBarrier Barrier { get; }
    public RecordStore Records { get; }

    /// <exception cref="FileNotFoundException">The database or the root key does not exist.</exception>
    public static async Task<AuditDataDirectory> OpenAsync(string dataDirectory, string? rootKeyPath, CancellationToken cancellationToken)
    {
        var options = new KeyhavenServerOptions { DataDirectory = dataDirectory, RootKeyPath = rootKeyPath };
        foreach (var path in new[] { options.DatabasePath, options.ResolvedRootKeyPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"`{path}` does not exist: is `{dataDirectory}` a Keyhaven data directory?", path);
            }
        }

        using var rootKey = RootKey.LoadOrCreate(options.ResolvedRootKeyPath);
        var backend = new SqliteStorageBackend(options.DatabasePath);
        try
        {
            return new AuditDataDirectory(backend, await StorageBarrier.OpenAsync(backend, rootKey, cancellationToken));
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
