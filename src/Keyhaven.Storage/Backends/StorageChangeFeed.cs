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

    /// <summary>Backends call this when another process committed a change (null: anything may have changed).</summary>
    public void Publish(StorageKey? key) => Changed?.Invoke(key);

    /// <summary>Backends call this when the feed's connection goes down or comes back; either way caches start over.</summary>
    public void SetLive(bool isLive)
    {
        _isLive = isLive;
        Publish(null);
    }
}
