using Keyhaven.Storage.Backends;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Sqlite;

/// <summary>
/// The embedded default backend: one SQLite file in WAL mode with full synchronous commits, so that a crash at any
/// point leaves the last committed transaction intact. Thread-safe: read transactions rent open connections from a
/// pool; write transactions take turns on one connection of their own.
/// </summary>
public sealed class SqliteStorageBackend : IStorageBackend
{
    private const int SchemaVersion = 1;
    private readonly string _connectionString;
    private static readonly TimeSpan WriteTurnTimeout = TimeSpan.FromSeconds(30);
    private readonly SqliteSessionPool _sessions;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private SqliteSession? _writeSession;

    /// <param name="databasePath">Path of the database file; created on first use.</param>
    public SqliteStorageBackend(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _sessions = new SqliteSessionPool(_connectionString);
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS records (
                tbl TEXT NOT NULL,
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                value BLOB NOT NULL,
                PRIMARY KEY (tbl, id)
            ) WITHOUT ROWID;
            """, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_info LIMIT 1";
        var existing = await command.ExecuteScalarAsync(cancellationToken);
        if (existing is null)
        {
            command.CommandText = $"INSERT INTO schema_info (version) VALUES ({SchemaVersion})";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        else if (Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture) > SchemaVersion)
        {
            throw new InvalidOperationException($"The database schema version {existing} is newer than this Keyhaven ({SchemaVersion}); upgrade Keyhaven.");
        }
    }

    /// <summary>Only this process opens the file, so there is never news from elsewhere.</summary>
    public StorageChangeFeed Changes { get; } = new(isLive: true);

    /// <summary>Only this process opens the file, so it always leads.</summary>
    public ValueTask<bool> HoldsLeadershipAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public async ValueTask<IStorageTransaction> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        if (!write)
        {
            var reader = await _sessions.RentAsync(cancellationToken);
            return Begin(reader, deferred: true, (session, clean) =>
            {
                if (clean)
                {
                    _sessions.Return(session);
                }
                else
                {
                    SqliteSessionPool.Discard(session);
                }
            });
        }

        // One writer at a time, always on the same session: writers queue here instead of in SQLite's busy handler
        // (which sleeps), and the writing connection's page cache stays valid between transactions, since no other
        // connection changes the file.
        if (!await _writeTurn.WaitAsync(WriteTurnTimeout, cancellationToken))
        {
            throw new TimeoutException($"No write transaction could start within {WriteTurnTimeout.TotalSeconds} s: another one is still open.");
        }

        try
        {
            var writer = _writeSession ??= await SqliteSession.OpenAsync(_connectionString, cancellationToken);

            // Writers take the write lock up front (BEGIN IMMEDIATE) so that two read-then-write transactions never deadlock.
            return Begin(writer, deferred: false, (session, clean) =>
            {
                if (!clean)
                {
                    _writeSession = null;
                    SqliteSessionPool.Discard(session);
                }

                _writeTurn.Release();
            });
        }
        catch
        {
            _writeTurn.Release();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _sessions.Dispose();
        _writeSession?.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static SqliteStorageTransaction Begin(SqliteSession session, bool deferred, Action<SqliteSession, bool> release)
    {
        try
        {
            var transaction = session.Connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred);
            return new SqliteStorageTransaction(session, transaction, release);
        }
        catch
        {
            release(session, false);
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
