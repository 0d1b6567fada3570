using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Encryption;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Benchmarks.Encryption;

/// <summary>
/// What the caching CMM saves on small messages: a 1 KiB Encrypt and Decrypt through the default CMM (new data key,
/// wrapping and, for 0x0578, a new ECDSA key per message) next to the same calls through a caching CMM whose entry
/// is warm (a copy of the cached materials per message), with the raw AES-256-GCM call over the same bytes as the
/// baseline of the same run.
/// </summary>
[MemoryDiagnoser]
public class CachingMaterialsBenchmarks
{
    private readonly EncryptionClient _client = new();
    private RawAesKeyring _keyring = null!;
    private LocalCryptographicMaterialsCache _cache = null!;
    private DefaultCryptographicMaterialsManager _default = null!;
    private CachingCryptographicMaterialsManager _caching = null!;
    private EncryptOptions _options = null!;
    private byte[] _plaintext = null!;
    private byte[] _message = null!;
    private AesGcm _aes = null!;
    private byte[] _ciphertext = null!;
    private byte[] _tag = null!;

    [Params(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384)]
    public AlgorithmSuiteId Suite { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keyring = new RawAesKeyring("bench", "key", RandomNumberGenerator.GetBytes(32));
        _cache = new LocalCryptographicMaterialsCache(100);
        _default = new DefaultCryptographicMaterialsManager(_keyring);
        _caching = new CachingCryptographicMaterialsManager(_keyring, _cache, TimeSpan.FromHours(1));
        _options = new EncryptOptions { Suite = Suite, EncryptionContext = new Dictionary<string, string> { ["purpose"] = "benchmark" } };
        _plaintext = RandomNumberGenerator.GetBytes(1024);
        _message = _client.Encrypt(_plaintext, _default, _options).Ciphertext;
        _client.Decrypt(_message, _caching); // warm the decryption entry
        _aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _ciphertext = new byte[_plaintext.Length];
        _tag = new byte[16];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _cache.Dispose();
        _keyring.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Raw AesGcm.Encrypt 1 KiB")]
    public void RawAesGcm() => _aes.Encrypt(new byte[12], _plaintext, _ciphertext, _tag);

    [Benchmark(Description = "Encrypt 1 KiB, default CMM")]
    public byte[] EncryptDefault() => _client.Encrypt(_plaintext, _default, _options).Ciphertext;

    [Benchmark(Description = "Encrypt 1 KiB, caching CMM")]
    public byte[] EncryptCaching() => _client.Encrypt(_plaintext, _caching, _options).Ciphertext;

    [Benchmark(Description = "Decrypt 1 KiB, default CMM")]
    public byte[] DecryptDefault() => _client.Decrypt(_message, _default).Plaintext;

    [Benchmark(Description = "Decrypt 1 KiB, caching CMM")]
    public byte[] DecryptCaching() => _client.Decrypt(_message, _caching).Plaintext;
}
