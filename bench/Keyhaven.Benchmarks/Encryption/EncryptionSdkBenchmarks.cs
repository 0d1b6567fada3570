using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Encryption;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Benchmarks.Encryption;

/// <summary>
/// The encryption SDK's byte-array Encrypt and Decrypt (raw AES-256 keyring, default CMM) next to the raw platform
/// primitive in the same run: one AES-256-GCM encryption of the same bytes with a cached key object (the baseline).
/// Throughput as the official SDK counts it is size / (Encrypt + Decrypt).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EncryptionSdkBenchmarks
{
    private readonly EncryptionClient _client = new();
    private RawAesKeyring _keyring = null!;
    private EncryptOptions _options = null!;
    private byte[] _plaintext = null!;
    private byte[] _message = null!;
    private AesGcm _aes = null!;
    private byte[] _nonce = null!;
    private byte[] _ciphertext = null!;
    private byte[] _tag = null!;

    [Params(1024, 1024 * 1024, 100 * 1024 * 1024)]
    public int Size { get; set; }

    [Params(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384)]
    public AlgorithmSuiteId Suite { get; set; }

    [Params(4096, 65536)]
    public int FrameLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keyring = new RawAesKeyring("bench", "key", RandomNumberGenerator.GetBytes(32));
        _options = new EncryptOptions { Suite = Suite, FrameLength = FrameLength, EncryptionContext = new Dictionary<string, string> { ["purpose"] = "benchmark" } };
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _message = _client.Encrypt(_plaintext, _keyring, _options).Ciphertext;
        _aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _nonce = new byte[12];
        _ciphertext = new byte[Size];
        _tag = new byte[16];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _keyring.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Raw AesGcm.Encrypt (one call)")]
    public void RawAesGcm() => _aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);

    [Benchmark]
    public byte[] Encrypt() => _client.Encrypt(_plaintext, _keyring, _options).Ciphertext;

    [Benchmark]
    public byte[] Decrypt() => _client.Decrypt(_message, _keyring).Plaintext;
}
