using Keyhaven.Storage.Backends;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Sqlite;

/// <summary>
/// The embedded default backend: one SQLite file in WAL mode with full synchronous commits, so that a crash at any
/// point leaves the last committed transaction intact. Thread-safe: every transaction opens its own pooled connection.
/// </summary>
public sealed class SqliteStorageBackend : IStorageBackend
{
    private const int SchemaVersion = 1;
    private readonly string _connectionString;

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
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
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
        var connection = await OpenAsync(cancellationToken);
        try
        {
            // Writers take the write lock up front (BEGIN IMMEDIATE) so that two read-then-write transactions never deadlock.
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: !write);
            return new SqliteStorageTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
