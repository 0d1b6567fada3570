using Keyhaven.Storage.Backends;
using Npgsql;
using NpgsqlTypes;

namespace Keyhaven.Storage.Postgres;

/// <summary>
/// One PostgreSQL transaction on its own pooled connection; see <see cref="IStorageTransaction"/>. A write transaction
/// holds the cluster-wide writer lock and, when it commits, tells the other nodes which records it changed
/// (<c>NOTIFY</c>, delivered only if the commit succeeds), except records of tables declared uncached.
/// </summary>
internal sealed class PostgresStorageTransaction(
    NpgsqlConnection connection, NpgsqlTransaction transaction, bool write, string notifyPrefix, StorageChangeFeed changes, NpgsqlDataSource pool)
    : IStorageTransaction
{
    private const string Records = PostgresSchema.RecordsTable;
    private readonly List<string> _notifications = [];
    private bool _committed;

    public async ValueTask<StorageEntry?> GetAsync(StorageKey key, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT version, value FROM {Records} WHERE tbl = $1 AND id = $2");
        command.Parameters.Add(Text(key.Table));
        command.Parameters.Add(Text(key.Id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StorageEntry(key, reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
    }

    public async ValueTask<IReadOnlyList<StorageEntry>> ListAsync(
        string table, string idPrefix, string? afterId, int limit, CancellationToken cancellationToken)
    {
        // As in SQLite: the range [prefix, upper) uses the primary key index, and left() keeps the match exact.
        await using var command = Command($"""
            SELECT id, version, value FROM {Records}
            WHERE tbl = $1 AND id >= $2 AND ($3 IS NULL OR id < $3) AND left(id, length($2)) = $2
              AND ($4 IS NULL OR id > $4)
            ORDER BY id LIMIT $5
            """);
        command.Parameters.Add(Text(table));
        command.Parameters.Add(Text(idPrefix));
        command.Parameters.Add(Text(UpperBound(idPrefix)));
        command.Parameters.Add(Text(afterId));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = limit });
        var entries = new List<StorageEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new StorageEntry(new StorageKey(table, reader.GetString(0)), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
        }

        return entries;
    }

    public async ValueTask PutAsync(StorageKey key, long expectedVersion, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        RequireWrite();
        await using var command = expectedVersion == 0
            ? Command($"INSERT INTO {Records} (tbl, id, version, value) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING")
            : Command($"UPDATE {Records} SET version = version + 1, value = $3 WHERE tbl = $1 AND id = $2 AND version = $4");
        command.Parameters.Add(Text(key.Table));
        command.Parameters.Add(Text(key.Id));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = value.ToArray() });
        if (expectedVersion != 0)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = expectedVersion });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(key, expectedVersion);
        }

        Notify(key);
    }

    public async ValueTask DeleteAsync(StorageKey key, long expectedVersion, CancellationToken cancellationToken)
    {
        RequireWrite();
        await using var command = Command($"DELETE FROM {Records} WHERE tbl = $1 AND id = $2 AND version = $3");
        command.Parameters.Add(Text(key.Table));
        command.Parameters.Add(Text(key.Id));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = expectedVersion });
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(key, expectedVersion);
        }

        Notify(key);
    }

    public async ValueTask<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT DISTINCT tbl FROM {Records} ORDER BY tbl");
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public async ValueTask ImportAsync(StorageEntry entry, CancellationToken cancellationToken)
    {
        RequireWrite();
        await using var command = Command($"INSERT INTO {Records} (tbl, id, version, value) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
        command.Parameters.Add(Text(entry.Key.Table));
        command.Parameters.Add(Text(entry.Key.Id));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = entry.Version });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = entry.Value });
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(entry.Key, 0);
        }

        Notify(entry.Key);
    }

    private void Notify(StorageKey key)
    {
        if (changes.MayAffectCaches(key))
        {
            _notifications.Add(PostgresChangeListener.Payload(notifyPrefix, key));
        }
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (_notifications.Count > 0)
        {
            // Queued in the transaction: PostgreSQL delivers them after, and only if, the commit succeeds.
            await using var command = Command($"SELECT pg_notify('{PostgresChangeListener.Channel}', payload) FROM unnest($1) AS payload");
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = _notifications.ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed)
            {
                await transaction.RollbackAsync();
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            // The connection broke or the commit failed half-way: the server rolls the transaction back on its own.
        }
        finally
        {
            await transaction.DisposeAsync();
            var broken = connection.FullState.HasFlag(System.Data.ConnectionState.Broken);
            await connection.DisposeAsync();
            if (broken)
            {
                pool.Clear(); // the server went away: its other idle connections are dead too
            }
        }
    }

    /// <summary>The smallest string above every id that starts with an ASCII-terminated prefix; null when there is none so simple.</summary>
    private static string? UpperBound(string prefix) =>
        prefix.Length > 0 && prefix[^1] < '\u007F' ? string.Concat(prefix.AsSpan(0, prefix.Length - 1), [(char)(prefix[^1] + 1)]) : null;

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private void RequireWrite()
    {
        if (!write)
        {
            throw new InvalidOperationException("A read transaction cannot write; begin it with write: true.");
        }
    }

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);
}
