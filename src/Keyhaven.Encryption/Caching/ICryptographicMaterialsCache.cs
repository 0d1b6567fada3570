namespace Keyhaven.Encryption.Caching;

/// <summary>
/// Stores cache entries by cache identifier for the caching CMM and the hierarchical keyring. Implementations must be
/// safe to call concurrently. The cache owns the entries put into it and disposes them when it drops them.
/// spec: framework/cryptographic-materials-cache.md
/// </summary>
public interface ICryptographicMaterialsCache
{
    /// <summary>Stores <paramref name="entry"/> under <paramref name="identifier"/>, replacing (and disposing) any entry there.</summary>
    void PutCacheEntry(ReadOnlySpan<byte> identifier, CacheEntry entry);

    /// <summary>The entry under <paramref name="identifier"/> unless there is none or it is past its expiry time.</summary>
    bool TryGetCacheEntry(ReadOnlySpan<byte> identifier, out CacheEntry? entry);

    /// <summary>Removes (and disposes) the entry under <paramref name="identifier"/>; does nothing if there is none.</summary>
    void DeleteCacheEntry(ReadOnlySpan<byte> identifier);
}
