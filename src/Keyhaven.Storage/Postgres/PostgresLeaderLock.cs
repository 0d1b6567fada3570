using Npgsql;

namespace Keyhaven.Storage.Postgres;

/// <summary>
/// Cluster leadership by a session-scoped advisory lock on a connection of its own: the node whose session holds
/// the lock leads; when that node dies (or its connection does), PostgreSQL releases the lock and the next node to ask
/// takes over. Thread-safe.
/// </summary>
/// <remarks>
/// A leader that lost its connection learns it at its next check, so for a moment two nodes may both think they lead;
/// the background work re-checks every record inside its own transaction, so running it twice is harmless.
/// </remarks>
internal sealed class PostgresLeaderLock(NpgsqlDataSource sessions) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _session;

    /// <summary>Whether this node leads: confirms a held lock is still held, or tries to take a free one.</summary>
    public async ValueTask<bool> HoldsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_session is not null)
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _session) { CommandTimeout = 2 };
                    await ping.ExecuteScalarAsync(cancellationToken);
                    return true;
                }
                catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    await DropSessionAsync(); // the lock went with the session
                }
            }

            var session = await sessions.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresAdvisoryLocks.Leader})", session);
                if (await take.ExecuteScalarAsync(cancellationToken) is true)
                {
                    _session = session;
                    return true;
                }
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }

            await session.DisposeAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await DropSessionAsync();
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private async ValueTask DropSessionAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
            _session = null;
        }
    }
}
