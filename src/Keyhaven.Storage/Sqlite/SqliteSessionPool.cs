using System.Collections.Concurrent;

namespace Keyhaven.Storage.Sqlite;

/// <summary>
/// Idle <see cref="SqliteSession"/>s, so that each transaction takes an open, prepared connection instead of opening
/// one. Holds at most <see cref="MaxIdle"/> idle sessions (more are closed on return). Thread-safe.
/// </summary>
internal sealed class SqliteSessionPool(string connectionString) : IDisposable
{
    /// <summary>Idle sessions kept open; transactions running at once beyond this open (and later close) their own.</summary>
    public const int MaxIdle = 64;

    private readonly ConcurrentBag<SqliteSession> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public async Task<SqliteSession> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return await SqliteSession.OpenAsync(connectionString, cancellationToken);
    }

    /// <summary>Takes back a session whose transaction ended cleanly; a session in doubt is passed to <see cref="Discard"/> instead.</summary>
    public void Return(SqliteSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }

        _idle.Add(session);
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    public static void Discard(SqliteSession session) => session.Dispose();

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }
}
