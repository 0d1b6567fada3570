using System.Data;
using Keyhaven.Storage.Backends;
using Npgsql;

namespace Keyhaven.Storage.Postgres;

/// <summary>
/// The shared backend for several Keyhaven nodes: one table of opaque versioned records in a PostgreSQL database.
/// Writers serialize cluster-wide on an advisory lock (as SQLite's writers do on its file lock), readers see a
/// consistent snapshot, commits are announced to the other nodes with <c>NOTIFY</c>, and one node at a time leads
/// the background work. Thread-safe: every transaction takes its own pooled connection.
/// </summary>
public sealed class PostgresStorageBackend : IStorageBackend
{
    private readonly NpgsqlDataSource _pool;
    private readonly NpgsqlDataSource _sessions;
    private readonly string _notifyPrefix = Guid.NewGuid().ToString("N") + "\t";
    private readonly PostgresChangeListener _listener;
    private readonly PostgresLeaderLock _leader;
    private int _disposed;

    /// <param name="location">A <c>postgres://</c> URI or an Npgsql connection string.</param>
    /// <exception cref="FormatException">Neither.</exception>
    public PostgresStorageBackend(string location)
        : this(PostgresConnectionString.Parse(location))
    {
    }

    public PostgresStorageBackend(NpgsqlConnectionStringBuilder settings)
    {
        var pooled = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { ApplicationName = settings.ApplicationName ?? "keyhaven" };
        _pool = NpgsqlDataSource.Create(pooled);
        // Long-lived sessions (LISTEN, the leader lock) on connections of their own, with TCP keepalives.
        var sessions = new NpgsqlConnectionStringBuilder(pooled.ConnectionString) { Pooling = false, KeepAlive = 5, TcpKeepAlive = true };
        _sessions = NpgsqlDataSource.Create(sessions);
        _listener = new PostgresChangeListener(_sessions, _notifyPrefix, () => _pool.Clear());
        _leader = new PostgresLeaderLock(_sessions);
    }

    public StorageChangeFeed Changes => _listener.Feed;

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(_pool, cancellationToken);
        await _listener.StartAsync(cancellationToken);
    }

    public async ValueTask<IStorageTransaction> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        var connection = await _pool.OpenConnectionAsync(cancellationToken);
        try
        {
            // Readers: one snapshot for the whole transaction. Writers: READ COMMITTED after taking the writer lock, so
            // every read sees the last commit and no other writer can change it before this one commits.
            var transaction = await connection.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
            if (write)
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresAdvisoryLocks.Writer})", connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return new PostgresStorageTransaction(connection, transaction, write, _notifyPrefix, Changes, _pool);
        }
        catch
        {
            await DisposeBrokenAsync(connection);
            throw;
        }
    }

    public ValueTask<bool> HoldsLeadershipAsync(CancellationToken cancellationToken) => _leader.HoldsAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _listener.DisposeAsync();
        await _leader.DisposeAsync();
        await _pool.DisposeAsync();
        await _sessions.DisposeAsync();
    }

    private async ValueTask DisposeBrokenAsync(NpgsqlConnection connection)
    {
        var broken = connection.FullState.HasFlag(ConnectionState.Broken);
        await connection.DisposeAsync();
        if (broken)
        {
            _pool.Clear(); // the server went away: its other idle connections are dead too
        }
    }
}
