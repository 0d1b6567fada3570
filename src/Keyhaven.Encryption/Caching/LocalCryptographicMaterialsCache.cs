namespace Keyhaven.Encryption.Caching;

/// <summary>
/// An in-memory least-recently-used cache of at most <see cref="EntryCapacity"/> entries. Every get first evicts the
/// TTL-expired entries among the <see cref="EntryPruningTailSize"/> least recently used ones, and never returns an
/// expired entry; a put evicts least recently used entries beyond the capacity. Evicted entries are disposed, which
/// zeroes their key material. Thread safe (one lock around the map and the recency list). Once disposed it takes no
/// entry: a put disposes the entry it was given and, like a get or delete, throws <see cref="ObjectDisposedException"/>.
/// spec: framework/local-cryptographic-materials-cache.md
/// </summary>
public sealed class LocalCryptographicMaterialsCache : ICryptographicMaterialsCache, IDisposable
{
    /// <summary>The largest entry capacity accepted.</summary>
    public const int MaxEntryCapacity = 1_000_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, CacheEntry Entry)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CacheEntry Entry)> _recency = new(); // most recently used first
    private readonly TimeProvider _time;
    private bool _disposed;

    /// <param name="entryCapacity">0 to <see cref="MaxEntryCapacity"/> entries (0 caches nothing).</param>
    /// <param name="entryPruningTailSize">How many least recently used entries each get checks for expiry (at least 1).</param>
    /// <param name="timeProvider">The clock that decides expiry (the system clock by default).</param>
    public LocalCryptographicMaterialsCache(int entryCapacity, int entryPruningTailSize = 1, TimeProvider? timeProvider = null)
    {
        if (entryCapacity is < 0 or > MaxEntryCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(entryCapacity), $"The entry capacity is 0 to {MaxEntryCapacity}, not {entryCapacity}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(entryPruningTailSize, 1);
        EntryCapacity = entryCapacity;
        EntryPruningTailSize = entryPruningTailSize;
        _time = timeProvider ?? TimeProvider.System;
    }

    public int EntryCapacity { get; }

    public int EntryPruningTailSize { get; }

    /// <summary>How many entries are stored now (expired ones included until they are pruned).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void PutCacheEntry(ReadOnlySpan<byte> identifier, CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = Convert.ToHexString(identifier);
        var dropped = new List<CacheEntry>();
        lock (_gate)
        {
            if (_disposed)
            {
                // A disposed cache would keep the key material where nobody zeroes it.
                entry.Dispose();
                throw new ObjectDisposedException(nameof(LocalCryptographicMaterialsCache));
            }

            // spec: cryptographic-materials-cache.md#put-cache-entry — an entry already there is removed.
            if (_entries.Remove(key, out var existing))
            {
                _recency.Remove(existing);
                dropped.Add(existing.Value.Entry);
            }

            _entries[key] = _recency.AddFirst((key, entry));

            // spec: local-cryptographic-materials-cache.md#put-cache-entry — evict LRU entries beyond the capacity.
            while (_entries.Count > EntryCapacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(last.Value.Key);
                dropped.Add(last.Value.Entry);
            }
        }

        DisposeAll(dropped);
    }

    public bool TryGetCacheEntry(ReadOnlySpan<byte> identifier, out CacheEntry? entry)
    {
        var key = Convert.ToHexString(identifier);
        var now = _time.GetUtcNow();
        var dropped = new List<CacheEntry>();
        entry = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // spec: local-cryptographic-materials-cache.md#pruning — the N least recently used, expired ones.
            var node = _recency.Last;
            for (var checkedCount = 0; node is not null && checkedCount < EntryPruningTailSize; checkedCount++)
            {
                var previous = node.Previous;
                if (IsExpired(node.Value.Entry, now))
                {
                    _recency.Remove(node);
                    _entries.Remove(node.Value.Key);
                    dropped.Add(node.Value.Entry);
                }

                node = previous;
            }

            if (_entries.TryGetValue(key, out var found))
            {
                if (IsExpired(found.Value.Entry, now))
                {
                    _recency.Remove(found);
                    _entries.Remove(key);
                    dropped.Add(found.Value.Entry);
                }
                else
                {
                    _recency.Remove(found);
                    _recency.AddFirst(found);
                    entry = found.Value.Entry;
                }
            }
        }

        DisposeAll(dropped);
        return entry is not null;
    }

    public void DeleteCacheEntry(ReadOnlySpan<byte> identifier)
    {
        var key = Convert.ToHexString(identifier);
        CacheEntry? dropped = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.Remove(key, out var found))
            {
                _recency.Remove(found);
                dropped = found.Value.Entry;
            }
        }

        dropped?.Dispose();
    }

    /// <summary>Drops and disposes every entry; the cache takes no entry after that.</summary>
    public void Dispose()
    {
        List<CacheEntry> dropped;
        lock (_gate)
        {
            _disposed = true;
            dropped = [.. _recency.Select(n => n.Entry)];
            _recency.Clear();
            _entries.Clear();
        }

        DisposeAll(dropped);
    }

    // spec: cryptographic-materials-cache.md#time-to-live-ttl — an entry at or past its expiry time is never returned.
    private static bool IsExpired(CacheEntry entry, DateTimeOffset now) => now >= entry.ExpiryTime;

    private static void DisposeAll(List<CacheEntry> entries)
    {
        foreach (var entry in entries)
        {
            entry.Dispose();
        }
    }
}
