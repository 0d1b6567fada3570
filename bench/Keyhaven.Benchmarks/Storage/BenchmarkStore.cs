using System.Security.Cryptography;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Benchmarks.Storage;

/// <summary>
/// A fresh SQLite store for a benchmark: a temporary directory with the database file, a random root key and the
/// opened barrier. Dispose removes it all.
/// </summary>
internal sealed class BenchmarkStore(string directory, SqliteStorageBackend backend, RootKey rootKey, StorageBarrier barrier) : IDisposable
{
    /// <summary>The temporary directory; benchmarks may put files of their own in it.</summary>
    public string Directory => directory;

    public StorageBarrier Barrier => barrier;

    public RecordStore Records { get; } = new(backend, barrier);

    public static BenchmarkStore Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "keyhaven-bench-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var backend = new SqliteStorageBackend(Path.Combine(directory, "bench.db"));
        backend.InitializeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var rootKey = RootKey.FromBytes(RandomNumberGenerator.GetBytes(RootKey.Length));
        var barrier = StorageBarrier.OpenAsync(backend, rootKey, CancellationToken.None).GetAwaiter().GetResult();
        return new BenchmarkStore(directory, backend, rootKey, barrier);
    }

    public void Dispose()
    {
        barrier.Dispose();
        rootKey.Dispose();
        backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        System.IO.Directory.Delete(directory, recursive: true);
    }
}
