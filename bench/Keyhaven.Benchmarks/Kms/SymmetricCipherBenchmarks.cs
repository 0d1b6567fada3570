using System.Collections.Immutable;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Benchmarks.Kms;

/// <summary>
/// The symmetric KMS cipher as Encrypt and Decrypt run it once the key is in memory (HKDF-SHA256 per-message key,
/// AES-256-GCM with the header and a two-pair encryption context as associated data), next to the raw platform
/// primitive: one AES-256-GCM encryption of the same size with a cached key object.
/// </summary>
[MemoryDiagnoser]
public class SymmetricCipherBenchmarks
{
    private KmsKey _key = null!;
    private EncryptionContext _context = null!;
    private byte[] _plaintext = null!;
    private byte[] _blob = null!;
    private AesGcm _aes = null!;
    private byte[] _nonce = null!;
    private byte[] _ciphertext = null!;
    private byte[] _tag = null!;

    [Params(256, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _key = new KmsKey
        {
            Id = KeyId.New(Guid.NewGuid()),
            Account = AccountId.Parse("111122223333"),
            Region = "us-east-1",
            CreatedAt = now,
            Policy = "{}",
            Versions = [new KeyMaterialVersion(1, new string('0', 64), now, RotationType.Initial, RandomNumberGenerator.GetBytes(32))],
        };
        _context = EncryptionContext.From(new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "bench" });
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _blob = Encrypt();

        _aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _nonce = RandomNumberGenerator.GetBytes(12);
        _ciphertext = new byte[Size];
        _tag = new byte[16];
        if (!Decrypt().AsSpan().SequenceEqual(_plaintext))
        {
            throw new InvalidOperationException("The benchmark blob does not decrypt.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _aes.Dispose();

    /// <summary>SymmetricCipher.Encrypt: header, random salt and nonce, HKDF, AES-GCM; allocates the blob.</summary>
    [Benchmark]
    public byte[] Encrypt() => SymmetricCipher.Encrypt(_key, _plaintext, _context, SystemRandomSource.Instance);

    /// <summary>CiphertextBlob.TryParse then SymmetricCipher.TryDecrypt, as Decrypt does after the key lookup.</summary>
    [Benchmark]
    public byte[]? Decrypt()
    {
        CiphertextBlob.TryParse(_blob, out var parsed);
        return SymmetricCipher.TryDecrypt(_key, parsed, _context);
    }

    /// <summary>The platform primitive alone: one AES-256-GCM encryption with a cached AesGcm, no derivation, no allocation.</summary>
    [Benchmark(Baseline = true)]
    public byte[] AesGcmPrimitive()
    {
        _aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        return _ciphertext;
    }
}
