using Keyhaven.Storage.Backends;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Sqlite;

/// <summary>One SQLite transaction on its own connection; see <see cref="IStorageTransaction"/>.</summary>
internal sealed class SqliteStorageTransaction(SqliteConnection connection, SqliteTransaction transaction) : IStorageTransaction
{
    private bool _committed;

    public async ValueTask<StorageEntry?> GetAsync(StorageKey key, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT version, value FROM records WHERE tbl = $tbl AND id = $id");
        command.Parameters.AddWithValue("$tbl", key.Table);
        command.Parameters.AddWithValue("$id", key.Id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StorageEntry(key, reader.GetInt64(0), (byte[])reader.GetValue(1));
    }

    public async ValueTask<IReadOnlyList<StorageEntry>> ListAsync(
        string table, string idPrefix, string? afterId, int limit, CancellationToken cancellationToken)
    {
        // Prefix match: the range [prefix, upper) uses the primary key index, and the substr test keeps the match exact
        // whatever characters the ids hold (no LIKE wildcards, no assumptions about the sort order past the prefix).
        await using var command = Command("""
            SELECT id, version, value FROM records
            WHERE tbl = $tbl AND id >= $from AND ($to IS NULL OR id < $to) AND substr(id, 1, length($from)) = $from
              AND ($after IS NULL OR id > $after)
            ORDER BY id LIMIT $limit
            """);
        command.Parameters.AddWithValue("$tbl", table);
        command.Parameters.AddWithValue("$from", idPrefix);
        command.Parameters.AddWithValue("$to", (object?)UpperBound(idPrefix) ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)afterId ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var entries = new List<StorageEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new StorageEntry(new StorageKey(table, reader.GetString(0)), reader.GetInt64(1), (byte[])reader.GetValue(2)));
        }

        return entries;
    }

    public async ValueTask PutAsync(StorageKey key, long expectedVersion, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        await using var command = expectedVersion == 0
            ? Command("INSERT INTO records (tbl, id, version, value) VALUES ($tbl, $id, 1, $value) ON CONFLICT DO NOTHING")
            : Command("UPDATE records SET version = version + 1, value = $value WHERE tbl = $tbl AND id = $id AND version = $expected");
        command.Parameters.AddWithValue("$tbl", key.Table);
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$expected", expectedVersion);
        command.Parameters.Add("$value", SqliteType.Blob).Value = value.ToArray();
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(key, expectedVersion);
        }
    }

    public async ValueTask DeleteAsync(StorageKey key, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var command = Command("DELETE FROM records WHERE tbl = $tbl AND id = $id AND version = $expected");
        command.Parameters.AddWithValue("$tbl", key.Table);
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$expected", expectedVersion);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(key, expectedVersion);
        }
    }

    public async ValueTask<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT DISTINCT tbl FROM records ORDER BY tbl");
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
        await using var command = Command("INSERT INTO records (tbl, id, version, value) VALUES ($tbl, $id, $version, $value) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("$tbl", entry.Key.Table);
        command.Parameters.AddWithValue("$id", entry.Key.Id);
        command.Parameters.AddWithValue("$version", entry.Version);
        command.Parameters.Add("$value", SqliteType.Blob).Value = entry.Value;
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new StorageConflictException(entry.Key, 0);
        }
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            await transaction.RollbackAsync();
        }

        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <summary>The smallest string above every id that starts with an ASCII-terminated prefix; null when there is none so simple.</summary>
    private static string? UpperBound(string prefix) =>
        prefix.Length > 0 && prefix[^1] < '\u007F' ? string.Concat(prefix.AsSpan(0, prefix.Length - 1), [(char)(prefix[^1] + 1)]) : null;

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
