namespace Keyhaven.Encryption.Caching;

/// <summary>
/// One entry of a <see cref="ICryptographicMaterialsCache"/>: the cached materials (owned by the entry), when it was
/// made, when it expires, and how much it has been used (messages and bytes encrypted). Thread safe: usage is updated
/// atomically, and materials are read under the entry's lock, so an entry evicted (disposed) while another thread
/// holds it can never hand out zeroed key material: <see cref="TryCopyMaterials"/> then returns false.
/// spec: framework/cryptographic-materials-cache.md#cache-entry
/// </summary>
public sealed class CacheEntry : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IDisposable _materials;
    private long _messagesUsed;
    private long _bytesUsed;
    private bool _disposed;

    /// <param name="materials">Encryption, decryption or branch key materials; the entry owns them and disposes them when evicted.</param>
    public CacheEntry(IDisposable materials, DateTimeOffset creationTime, DateTimeOffset expiryTime, long messagesUsed = 0, long bytesUsed = 0)
    {
        ArgumentNullException.ThrowIfNull(materials);
        ArgumentOutOfRangeException.ThrowIfNegative(messagesUsed);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesUsed);
        _materials = materials;
        CreationTime = creationTime;
        ExpiryTime = expiryTime;
        _messagesUsed = messagesUsed;
        _bytesUsed = bytesUsed;
    }

    public DateTimeOffset CreationTime { get; }

    public DateTimeOffset ExpiryTime { get; }

    public long MessagesUsed
    {
        get
        {
            lock (_gate)
            {
                return _messagesUsed;
            }
        }
    }

    public long BytesUsed
    {
        get
        {
            lock (_gate)
            {
                return _bytesUsed;
            }
        }
    }

    /// <summary>True once the entry was evicted or deleted; its materials are gone.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    /// <summary>
    /// Adds one use atomically and returns the totals after it (saturating at <see cref="long.MaxValue"/>).
    /// spec: framework/caching-cmm.md#usage-stats
    /// </summary>
    public (long Messages, long Bytes) AddUsage(long messages, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            _messagesUsed = _messagesUsed > long.MaxValue - messages ? long.MaxValue : _messagesUsed + messages;
            _bytesUsed = _bytesUsed > long.MaxValue - bytes ? long.MaxValue : _bytesUsed + bytes;
            return (_messagesUsed, _bytesUsed);
        }
    }

    /// <summary>
    /// Runs <paramref name="copy"/> over the materials under the entry's lock (so they cannot be zeroed meanwhile) and
    /// returns its result; false if the entry was disposed or holds another type of materials.
    /// </summary>
    public bool TryCopyMaterials<TMaterials, TCopy>(Func<TMaterials, TCopy> copy, out TCopy? result)
        where TMaterials : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(copy);
        lock (_gate)
        {
            if (_disposed || _materials is not TMaterials materials)
            {
                result = default;
                return false;
            }

            result = copy(materials);
            return true;
        }
    }

    /// <summary>Disposes (zeroes) the materials; later <see cref="TryCopyMaterials"/> calls return false.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _materials.Dispose();
        }
    }
}
