using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Benchmarks.Storage;

/// <summary>
/// The storage barrier sealing and unsealing a 1 KB record (AES-256-GCM with the record identity as associated data).
/// The keyring is opened once over a SQLite file in a temp directory; the measured calls do no I/O.
/// </summary>
[MemoryDiagnoser]
public class StorageBarrierBenchmarks
{
    private static readonly StorageKey Key = new("keys", "111122223333/us-east-1/0b7e1c7a-2f7e-4d39-9d1c-5b0f3f1d2a10");
    private string _directory = null!;
    private SqliteStorageBackend _backend = null!;
    private RootKey _rootKey = null!;
    private StorageBarrier _barrier = null!;
    private byte[] _plaintext = null!;
    private StorageEntry _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "keyhaven-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _backend = new SqliteStorageBackend(Path.Combine(_directory, "bench.db"));
        _backend.InitializeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _rootKey = RootKey.FromBytes(RandomNumberGenerator.GetBytes(RootKey.Length));
        _barrier = StorageBarrier.OpenAsync(_backend, _rootKey, CancellationToken.None).GetAwaiter().GetResult();
        _plaintext = RandomNumberGenerator.GetBytes(1024);
        _sealed = new StorageEntry(Key, 7, Seal());
        if (!Unseal().AsSpan().SequenceEqual(_plaintext))
        {
            throw new InvalidOperationException("The benchmark record does not unseal.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _barrier.Dispose();
        _rootKey.Dispose();
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public byte[] Seal() => _barrier.Seal(Key, 7, _plaintext);

    [Benchmark]
    public byte[] Unseal() => _barrier.Unseal(_sealed);
}
