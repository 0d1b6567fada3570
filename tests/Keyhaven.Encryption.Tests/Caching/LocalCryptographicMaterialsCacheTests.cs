using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Caching;

/// <summary>spec: framework/local-cryptographic-materials-cache.md</summary>
public sealed class LocalCryptographicMaterialsCacheTests
{
    private readonly ManualClock _clock = new();

    private static byte[] Id(int n) => [(byte)n];

    private CacheEntry Entry(TimeSpan ttl)
    {
        var materials = new EncryptionMaterials(AlgorithmSuite.AesGcm256HkdfSha512Commit, new Dictionary<string, string>());
        materials.SetPlaintextDataKey(Enumerable.Repeat((byte)7, 32).ToArray());
        var now = _clock.GetUtcNow();
        return new CacheEntry(materials, now, now + ttl);
    }

    [Fact]
    public void Least_recently_used_entries_are_evicted_beyond_the_capacity_and_their_keys_zeroed()
    {
        using var cache = new LocalCryptographicMaterialsCache(2, timeProvider: _clock);
        var first = Entry(TimeSpan.FromHours(1));
        cache.PutCacheEntry(Id(1), first);
        cache.PutCacheEntry(Id(2), Entry(TimeSpan.FromHours(1)));
        Assert.True(cache.TryGetCacheEntry(Id(1), out _)); // 1 is now the most recently used
        cache.PutCacheEntry(Id(3), Entry(TimeSpan.FromHours(1)));

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGetCacheEntry(Id(1), out _));
        Assert.False(cache.TryGetCacheEntry(Id(2), out _));
        Assert.True(cache.TryGetCacheEntry(Id(3), out _));
        Assert.False(first.IsDisposed);

        cache.PutCacheEntry(Id(4), Entry(TimeSpan.FromHours(1)));
        cache.PutCacheEntry(Id(5), Entry(TimeSpan.FromHours(1)));
        Assert.True(first.IsDisposed);
        Assert.False(first.TryCopyMaterials((EncryptionMaterials m) => m.Clone(), out _));
    }

    [Fact]
    public void Expired_entries_are_never_returned_and_the_tail_is_pruned_on_get()
    {
        using var cache = new LocalCryptographicMaterialsCache(10, entryPruningTailSize: 2, timeProvider: _clock);
        var shortLived = Entry(TimeSpan.FromSeconds(10));
        cache.PutCacheEntry(Id(1), shortLived);
        cache.PutCacheEntry(Id(2), Entry(TimeSpan.FromHours(1)));
        Assert.True(cache.TryGetCacheEntry(Id(1), out _));

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(cache.TryGetCacheEntry(Id(1), out _));
        Assert.True(shortLived.IsDisposed);

        var other = Entry(TimeSpan.FromSeconds(1));
        cache.PutCacheEntry(Id(3), other);
        cache.TryGetCacheEntry(Id(2), out _); // 3 is now the least recently used
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(cache.TryGetCacheEntry(Id(2), out _)); // the get pruned 3 from the tail
        Assert.True(other.IsDisposed);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Put_replaces_and_delete_removes()
    {
        using var cache = new LocalCryptographicMaterialsCache(10, timeProvider: _clock);
        var old = Entry(TimeSpan.FromHours(1));
        var replacement = Entry(TimeSpan.FromHours(1));
        cache.PutCacheEntry(Id(1), old);
        cache.PutCacheEntry(Id(1), replacement);
        Assert.True(old.IsDisposed);
        Assert.True(cache.TryGetCacheEntry(Id(1), out var found));
        Assert.Same(replacement, found);
        cache.DeleteCacheEntry(Id(1));
        cache.DeleteCacheEntry(Id(9));
        Assert.False(cache.TryGetCacheEntry(Id(1), out _));
        Assert.True(replacement.IsDisposed);
    }

    [Fact]
    public void Capacity_zero_caches_nothing_and_bad_settings_are_refused()
    {
        using var cache = new LocalCryptographicMaterialsCache(0, timeProvider: _clock);
        var entry = Entry(TimeSpan.FromHours(1));
        cache.PutCacheEntry(Id(1), entry);
        Assert.False(cache.TryGetCacheEntry(Id(1), out _));
        Assert.True(entry.IsDisposed);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalCryptographicMaterialsCache(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalCryptographicMaterialsCache(LocalCryptographicMaterialsCache.MaxEntryCapacity + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalCryptographicMaterialsCache(1, entryPruningTailSize: 0));
    }

    [Fact]
    public void Concurrent_use_keeps_the_capacity_and_never_hands_out_a_disposed_key()
    {
        using var cache = new LocalCryptographicMaterialsCache(8, timeProvider: _clock);
        var failures = 0;
        Parallel.For(0, 20_000, i =>
        {
            var id = Id(i % 16);
            if (i % 3 == 0)
            {
                cache.PutCacheEntry(id, Entry(TimeSpan.FromHours(1)));
            }
            else if (cache.TryGetCacheEntry(id, out var entry)
                && entry!.TryCopyMaterials((EncryptionMaterials m) => m.Clone(), out var copy))
            {
                using (copy)
                {
                    if (copy!.PlaintextDataKey!.Any(b => b != 7))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        });
        Assert.Equal(0, failures);
        Assert.True(cache.Count <= 8);
    }
}
