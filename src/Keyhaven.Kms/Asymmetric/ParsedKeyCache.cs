using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>
/// Parsed platform key objects (RSA, ECDsa) for a key version's private key, so that a signature does not pay for
/// parsing and validating the PKCS#8 material on every call (measured: more than the RSA-2048 signature itself).
/// Entries hang off the material array with a <see cref="ConditionalWeakTable{TKey,TValue}"/>: they live as long as the
/// cached key version does, and go with it. Each caller rents an object for its own exclusive use, as the platform's
/// types are not documented as thread-safe. Thread-safe.
/// </summary>
internal static class ParsedKeyCache
{
    private const int MaxPooledPerKey = 8;
    private static readonly ConditionalWeakTable<byte[], ConcurrentBag<RSA>> Rsa = new();
    private static readonly ConditionalWeakTable<byte[], ConcurrentBag<ECDsa>> Ecdsa = new();

    public static Lease<RSA> RentRsa(byte[] pkcs8) => Rent(Rsa, pkcs8, KeyPairs.OpenRsa);

    public static Lease<ECDsa> RentEcdsa(byte[] pkcs8) => Rent(Ecdsa, pkcs8, KeyPairs.OpenEcdsa);

    private static Lease<T> Rent<T>(ConditionalWeakTable<byte[], ConcurrentBag<T>> table, byte[] pkcs8, Func<byte[], T> open)
        where T : AsymmetricAlgorithm
    {
        var bag = table.GetValue(pkcs8, _ => []);
        return new Lease<T>(bag, bag.TryTake(out var key) ? key : open(pkcs8));
    }

    /// <summary>A rented key object; disposing returns it to its pool (or disposes it when the pool is full).</summary>
    public readonly struct Lease<T>(ConcurrentBag<T> pool, T key) : IDisposable
        where T : AsymmetricAlgorithm
    {
        public T Key { get; } = key;

        public void Dispose()
        {
            if (pool.Count < MaxPooledPerKey)
            {
                pool.Add(Key);
            }
            else
            {
                Key.Dispose();
            }
        }
    }
}
