using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>
/// Parsed key objects for a key version's private key, so that a signature does not pay for parsing and validating the
/// material on every call (measured: more than the RSA-2048 signature itself; an ML-DSA key is expanded from its seed).
/// Platform objects (RSA, ECDsa) are pooled, each rented for one caller's exclusive use, as the platform's types are not
/// documented as thread-safe; BouncyCastle's immutable key parameters (Ed25519, ML-DSA) are shared.
/// <para>
/// Entries hang off the material array (a <see cref="ConditionalWeakTable{TKey,TValue}"/>), so they never outlive it,
/// and <see cref="Evict"/> ends them sooner: the key repository evicts a key's material when its cached key is replaced
/// or dropped (any committed change: disable, deletion, rotation, …; another node's commit). Eviction disposes the
/// pooled platform objects at once and each rented one when it is returned; later calls with that array (a request
/// that resolved the key before the change) parse afresh and dispose after use, caching nothing.
/// </para>
/// Thread-safe.
/// </summary>
internal static class ParsedKeyCache
{
    private const int MaxPooledPerKey = 8;
    private static readonly ConditionalWeakTable<byte[], Entry> Entries = new();

    public static Lease<RSA> RentRsa(byte[] pkcs8) => Rent(pkcs8, static e => e.Rsa, KeyPairs.OpenRsa);

    public static Lease<ECDsa> RentEcdsa(byte[] pkcs8) => Rent(pkcs8, static e => e.Ecdsa, KeyPairs.OpenEcdsa);

    /// <summary>
    /// The shared, immutable parsed form of <paramref name="material"/> (BouncyCastle key parameters), made by
    /// <paramref name="parse"/> on first use. After <see cref="Evict"/>, parsed afresh on every call and not kept.
    /// </summary>
    public static T GetShared<T>(byte[] material, Func<byte[], T> parse)
        where T : class
    {
        var entry = Entries.GetValue(material, static _ => new Entry());
        if (Volatile.Read(ref entry.Shared) is T shared)
        {
            return shared;
        }

        var parsed = parse(material);
        if (!entry.Evicted)
        {
            Interlocked.CompareExchange(ref entry.Shared, parsed, null);
            if (entry.Evicted)
            {
                Volatile.Write(ref entry.Shared, null); // evicted while we were caching
            }
        }

        return parsed;
    }

    /// <summary>Ends the parsed objects of <paramref name="material"/>: pooled ones are disposed now, rented ones on return.</summary>
    public static void Evict(byte[] material)
    {
        if (!Entries.TryGetValue(material, out var entry))
        {
            return;
        }

        entry.Evicted = true;
        Volatile.Write(ref entry.Shared, null);
        Drain(entry.Rsa);
        Drain(entry.Ecdsa);
    }

    /// <summary>How many platform objects are pooled for <paramref name="material"/> (for tests).</summary>
    internal static int PooledCount(byte[] material) =>
        Entries.TryGetValue(material, out var entry) ? entry.Rsa.Count + entry.Ecdsa.Count + (Volatile.Read(ref entry.Shared) is null ? 0 : 1) : 0;

    private static Lease<T> Rent<T>(byte[] pkcs8, Func<Entry, ConcurrentBag<T>> pool, Func<byte[], T> open)
        where T : AsymmetricAlgorithm
    {
        var entry = Entries.GetValue(pkcs8, static _ => new Entry());
        var bag = pool(entry);
        return new Lease<T>(entry, bag, bag.TryTake(out var key) ? key : open(pkcs8));
    }

    private static void Drain<T>(ConcurrentBag<T> pool)
        where T : AsymmetricAlgorithm
    {
        while (pool.TryTake(out var key))
        {
            key.Dispose();
        }
    }

    /// <summary>A rented key object; disposing returns it to its pool, or disposes it when the pool is full or evicted.</summary>
    public readonly struct Lease<T> : IDisposable
        where T : AsymmetricAlgorithm
    {
        private readonly Entry _entry;
        private readonly ConcurrentBag<T> _pool;

        internal Lease(Entry entry, ConcurrentBag<T> pool, T key)
        {
            _entry = entry;
            _pool = pool;
            Key = key;
        }

        public T Key { get; }

        public void Dispose()
        {
            if (_entry.Evicted || _pool.Count >= MaxPooledPerKey)
            {
                Key.Dispose();
                return;
            }

            _pool.Add(Key);
            if (_entry.Evicted)
            {
                Drain(_pool); // evicted while we were adding: Evict may have drained before our Add
            }
        }
    }

    internal sealed class Entry
    {
        public readonly ConcurrentBag<RSA> Rsa = [];
        public readonly ConcurrentBag<ECDsa> Ecdsa = [];
        public object? Shared;
        private volatile bool _evicted;

        public bool Evicted
        {
            get => _evicted;
            set => _evicted = value;
        }
    }
}
