using Npgsql;

namespace Keyhaven.Storage.Postgres;

/// <summary>
/// The schema, as an ordered list of migrations applied at start in one transaction under an advisory lock, so that
/// nodes starting together migrate once and a failed migration leaves the previous schema intact.
/// </summary>
internal static class PostgresSchema
{
    public const string RecordsTable = "keyhaven_records";
    public const string VersionTable = "keyhaven_schema";

    /// <summary>Migration <c>i</c> takes the schema from version <c>i</c> to <c>i + 1</c>. Append only; never edit one that shipped.</summary>
    private static readonly string[] Migrations =
    [
        // 1: opaque versioned records. Ids compare bytewise (COLLATE "C"), as SQLite compares them.
        $"""
        CREATE TABLE {RecordsTable} (
            tbl text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            value bytea NOT NULL,
            PRIMARY KEY (tbl, id)
        );
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the schema to <see cref="CurrentVersion"/>.</summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer Keyhaven.</exception>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({PostgresAdvisoryLocks.Migration})", cancellationToken);
        await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {VersionTable} (version integer NOT NULL)", cancellationToken);
        await using var read = new NpgsqlCommand($"SELECT max(version) FROM {VersionTable}", connection);
        var stored = await read.ExecuteScalarAsync(cancellationToken) is int version ? version : 0;
        if (stored > CurrentVersion)
        {
            throw new InvalidOperationException($"The database schema version {stored} is newer than this Keyhaven ({CurrentVersion}); upgrade Keyhaven.");
        }

        if (stored == CurrentVersion)
        {
            return; // nothing to do; disposing rolls back the empty transaction
        }

        for (var next = stored; next < CurrentVersion; next++)
        {
            await ExecuteAsync(connection, Migrations[next], cancellationToken);
        }

        await ExecuteAsync(connection, $"DELETE FROM {VersionTable}; INSERT INTO {VersionTable} (version) VALUES ({CurrentVersion})", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
