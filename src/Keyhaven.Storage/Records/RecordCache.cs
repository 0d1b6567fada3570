using System.Collections.Concurrent;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Records;

/// <summary>
/// Unsealed values by record id, kept consistent with storage, for the domain's in-memory caches. A local write
/// invalidates (or replaces) its entry after it commits, and a value read from storage is cached only if nothing was
/// invalidated since the read began (<see cref="Generation"/>), so a slow reader cannot put back a value that a
/// committed write replaced. Commits of other nodes (the <see cref="StorageChangeFeed"/>) empty the whole cache (unless they
/// touched only tables declared uncached, such as the audit trail's), and
/// while the feed is not live the cache neither serves nor keeps anything. Lookups are lock-free; population and
/// invalidation take one lock. Thread-safe.
/// </summary>
public sealed class RecordCache<T>
{
    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);
    private readonly StorageChangeFeed _changes;
    private readonly Lock _gate = new();
    private readonly Action<T>? _evicted;
    private long _generation;

    /// <param name="evicted">
    /// Called (outside the lock) with each value that leaves the cache: replaced by another value, invalidated or
    /// cleared. The key repository ends the parsed key objects of a key's material with it.
    /// </param>
    public RecordCache(StorageChangeFeed changes, Action<T>? evicted = null)
    {
        _changes = changes;
        _evicted = evicted;
        changes.Changed += _ => Clear();
    }

    /// <summary>Take this before opening the transaction whose read (or write) will be passed to <see cref="Populate"/> (or <see cref="Store"/>).</summary>
    public long Generation => Volatile.Read(ref _generation);

    public bool TryGet(string id, out T value)
    {
        if (_changes.IsLive)
        {
            return _entries.TryGetValue(id, out value!);
        }

        value = default!;
        return false;
    }

    /// <summary>Caches <paramref name="value"/>, read in a transaction opened at <paramref name="generation"/>, unless a write intervened.</summary>
    public void Populate(string id, T value, long generation)
    {
        T? replaced = default;
        lock (_gate)
        {
            if (_generation == generation && _changes.IsLive)
            {
                replaced = Put(id, value);
            }
        }

        Evicted(replaced);
    }

    /// <summary>
    /// After a committed write of <paramref name="id"/> (begun at <paramref name="generation"/>): caches its new value,
    /// or drops the entry when another write intervened (which might have committed after this one).
    /// </summary>
    public void Store(string id, T value, long generation)
    {
        T? replaced;
        lock (_gate)
        {
            if (_generation == generation && _changes.IsLive)
            {
                replaced = Put(id, value);
            }
            else
            {
                _entries.TryRemove(id, out replaced);
            }

            _generation++;
        }

        Evicted(replaced);
    }

    /// <summary>Drops <paramref name="id"/> after a committed write (or delete) of it.</summary>
    public void Invalidate(string id)
    {
        T? removed;
        lock (_gate)
        {
            _generation++;
            _entries.TryRemove(id, out removed);
        }

        Evicted(removed);
    }

    /// <summary>Drops everything (another node changed something).</summary>
    public void Clear()
    {
        T[] removed;
        lock (_gate)
        {
            _generation++;
            removed = _evicted is null ? [] : [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var value in removed)
        {
            _evicted!(value);
        }
    }

    /// <summary>Sets an entry; returns the value it replaced when that was another value (to evict), else default.</summary>
    private T? Put(string id, T value)
    {
        var replaced = _entries.TryGetValue(id, out var previous) && !ReferenceEquals(previous, value) ? previous : default;
        _entries[id] = value;
        return replaced;
    }

    private void Evicted(T? value)
    {
        if (value is not null)
        {
            _evicted?.Invoke(value);
        }
    }
}
