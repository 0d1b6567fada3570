using System.Collections.Concurrent;

namespace Keyhaven.Identity.Storage;

/// <summary>
/// Unsealed identity records by id, kept consistent with storage: a write invalidates its entry after it commits, and a
/// value read from storage is cached only if no write was invalidated since the read began (<see cref="Generation"/>).
/// So a slow reader cannot put back a value that a committed write replaced (which would, say, keep a removed group
/// membership or a detached policy in force). Lookups are lock-free; population and invalidation take one lock.
/// </summary>
internal sealed class DocumentCache<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;

    /// <summary>Take this before opening the transaction whose read will be passed to <see cref="Populate"/>.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public bool TryGet(string id, out T document) => _entries.TryGetValue(id, out document!);

    /// <summary>Caches <paramref name="document"/>, read in a transaction opened at <paramref name="generation"/>, unless a write intervened.</summary>
    public void Populate(string id, T document, long generation)
    {
        lock (_gate)
        {
            if (_generation == generation)
            {
                _entries[id] = document;
            }
        }
    }

    /// <summary>Drops <paramref name="id"/> after a committed write (or delete) of it.</summary>
    public void Invalidate(string id)
    {
        lock (_gate)
        {
            _generation++;
            _entries.TryRemove(id, out _);
        }
    }
}
