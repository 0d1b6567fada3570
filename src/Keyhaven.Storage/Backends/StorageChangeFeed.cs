namespace Keyhaven.Storage.Backends;

/// <summary>
/// Tells this process about commits made by other processes sharing the same storage, so that in-memory caches stay
/// coherent across nodes. A backend that only one process can open (SQLite) has a feed that is always live and never
/// publishes. Thread-safe.
/// </summary>
/// <remarks>
/// While the feed is not <see cref="IsLive"/> (its connection to the storage is down), this process cannot learn of
/// other nodes' writes, so caches must neither serve nor keep anything: every read goes to storage, where it either
/// sees the truth or fails.
/// </remarks>
public sealed class StorageChangeFeed
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _uncachedTables = new(StringComparer.Ordinal);
    private volatile bool _isLive;

    /// <param name="isLive">Whether the feed starts live (true for single-process backends).</param>
    public StorageChangeFeed(bool isLive) => _isLive = isLive;

    /// <summary>
    /// Raised after another process committed a change of the given record, or with null when anything may have
    /// changed (the feed lost or regained its connection, or the change was too large to name). Handlers must be quick
    /// and must not throw; they run on the feed's thread.
    /// </summary>
    public event Action<StorageKey?>? Changed;

    /// <summary>True while this process is told about every other process's commits.</summary>
    public bool IsLive => _isLive;

    /// <summary>
    /// Declares that no cache holds anything read from <paramref name="table"/> (its records are always read from
    /// storage, like the audit trail's), so that caches need not start over when another process writes to it, and
    /// backends need not tell other processes about such writes.
    /// </summary>
    public void DeclareUncached(string table) => _uncachedTables.TryAdd(table, 0);

    /// <summary>True when a change of <paramref name="key"/> (null: anything) may make cached values stale.</summary>
    public bool MayAffectCaches(StorageKey? key) => key is not { } changed || !_uncachedTables.ContainsKey(changed.Table);

    /// <summary>
    /// Backends call this when another process committed a change (null: anything may have changed). Changes of tables
    /// declared uncached are not passed on.
    /// </summary>
    public void Publish(StorageKey? key)
    {
        if (MayAffectCaches(key))
        {
            Changed?.Invoke(key);
        }
    }

    /// <summary>Backends call this when the feed's connection goes down or comes back; either way caches start over.</summary>
    public void SetLive(bool isLive)
    {
        _isLive = isLive;
        Publish(null);
    }
}
