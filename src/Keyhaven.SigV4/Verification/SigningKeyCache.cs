using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.SigV4.Signing;

namespace Keyhaven.SigV4.Verification;

/// <summary>
/// Caches derived signing keys (four HMACs each) keyed by access key id, scope date, region and service: never by
/// the secret. Each entry also holds a keyed fingerprint of the secret it came from (HMAC-SHA256 under a random
/// per-cache key), compared in constant time, so a rotated secret never reuses a stale key and the cache holds no
/// value that could be checked against a guessed secret outside this process. When the caller passes the very same
/// secret string instance as when the key was derived, the fingerprint is skipped (reference identity, no content).
/// Thread-safe; bounded: when <c>capacity</c> is reached the whole cache is cleared (keys are per day, so a full
/// cache is rare and refilling is cheap).
/// </summary>
internal sealed class SigningKeyCache
{
    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();
    private readonly byte[] _fingerprintKey = RandomNumberGenerator.GetBytes(32);
    private readonly int _capacity;

    public SigningKeyCache(int capacity)
    {
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>Writes the signing key for the scope into <paramref name="signingKey"/> (32 bytes).</summary>
    public void GetSigningKey(string accessKeyId, int scopeDate, ReadOnlySpan<char> scopeDateText, string region, string service, string secret, Span<byte> signingKey)
    {
        var key = new CacheKey(accessKeyId, scopeDate, region, service);
        _entries.TryGetValue(key, out Entry? entry);

        // Fast path: the credential source hands out the same secret string instance for as long as the secret is
        // unchanged, so reference identity proves the entry was derived from this very secret without hashing it.
        if (entry is not null && ReferenceEquals(entry.SecretInstance, secret))
        {
            entry.SigningKey.CopyTo(signingKey);
            return;
        }

        Span<byte> fingerprint = stackalloc byte[32];
        Fingerprint(secret, fingerprint);
        if (entry is not null && CryptographicOperations.FixedTimeEquals(entry.SecretFingerprint, fingerprint))
        {
            entry.SigningKey.CopyTo(signingKey);
            return;
        }

        SigningAlgorithm.DeriveSigningKey(secret, scopeDateText, region, service, signingKey);
        if (_capacity <= 0)
        {
            return;
        }

        if (_entries.Count >= _capacity)
        {
            // INVARIANT: evicted arrays may still be read by a concurrent caller, so they are not zeroed here.
            _entries.Clear();
        }

        _entries[key] = new Entry(signingKey.ToArray(), fingerprint.ToArray(), secret);
    }

    private void Fingerprint(string secret, Span<byte> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> utf8 = max <= 256 ? stackalloc byte[256] : new byte[max];
        int length = Encoding.UTF8.GetBytes(secret, utf8);
        HMACSHA256.HashData(_fingerprintKey, utf8[..length], destination);
        CryptographicOperations.ZeroMemory(utf8[..length]);
    }

    private readonly record struct CacheKey(string AccessKeyId, int ScopeDate, string Region, string Service);

    private sealed class Entry(byte[] signingKey, byte[] secretFingerprint, string secretInstance)
    {
        /// <summary>The secret string the key was derived from, held only for reference comparison (the credential source holds it anyway).</summary>
        public string SecretInstance { get; } = secretInstance;

        public byte[] SigningKey { get; } = signingKey;

        public byte[] SecretFingerprint { get; } = secretFingerprint;
    }
}
