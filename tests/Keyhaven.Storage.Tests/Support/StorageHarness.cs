using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Storage.Tests.Support;

/// <summary>
/// A real SQLite database and root key file in a temp directory, with the barrier opened over them: the stack the
/// server runs, minus the domain. Dispose closes the pools and deletes the directory.
/// </summary>
public sealed class StorageHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly bool _ownsDirectory;

    private StorageHarness(TempDirectory directory, bool ownsDirectory, SqliteStorageBackend backend, RootKey rootKey, StorageBarrier barrier)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        Backend = backend;
        RootKey = rootKey;
        Barrier = barrier;
        Store = new RecordStore(backend, barrier);
    }

    public SqliteStorageBackend Backend { get; }
    public RootKey RootKey { get; }
    public StorageBarrier Barrier { get; }
    public RecordStore Store { get; }
    public string DatabasePath => _directory.File("keyhaven.db");

    /// <summary>Opens (or creates) the database and root key in <paramref name="directory"/>; a new temp directory when null.</summary>
    public static async Task<StorageHarness> OpenAsync(TempDirectory? directory = null, string rootKeyName = "root.key")
    {
        var owns = directory is null;
        directory ??= new TempDirectory();
        var backend = new SqliteStorageBackend(directory.File("keyhaven.db"));
        await backend.InitializeAsync(CancellationToken.None);
        var rootKey = RootKey.LoadOrCreate(directory.File(rootKeyName));
        var barrier = await StorageBarrier.OpenAsync(backend, rootKey, CancellationToken.None);
        return new StorageHarness(directory, owns, backend, rootKey, barrier);
    }

    public async ValueTask DisposeAsync()
    {
        Barrier.Dispose();
        RootKey.Dispose();
        await Backend.DisposeAsync();
        if (_ownsDirectory)
        {
            _directory.Dispose();
        }
    }
}
