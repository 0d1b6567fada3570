using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Benchmarks.Storage;

/// <summary>
/// The storage barrier sealing and unsealing a 1 KB record (AES-256-GCM with the record identity as associated data).
/// The keyring is opened once over a SQLite file in a temp directory; the measured calls do no I/O.
/// </summary>
[MemoryDiagnoser]
public class StorageBarrierBenchmarks
{
    private static readonly StorageKey Key = new("keys", "111122223333/us-east-1/0b7e1c7a-2f7e-4d39-9d1c-5b0f3f1d2a10");
    private BenchmarkStore _store = null!;
    private byte[] _plaintext = null!;
    private StorageEntry _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create();
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
        _store.Dispose();
    }

    [Benchmark]
    public byte[] Seal() => _store.Barrier.Seal(Key, 7, _plaintext);

    [Benchmark]
    public byte[] Unseal() => _store.Barrier.Unseal(_sealed);
}
