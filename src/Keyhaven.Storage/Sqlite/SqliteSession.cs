using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Sqlite;

/// <summary>
/// One open connection with its settings applied and its statements kept prepared, reused by one transaction at a
/// time (see <see cref="SqliteSessionPool"/>): a transaction then parses no SQL and runs no PRAGMA, which is most of
/// what a small transaction (an audit group commit, a key read) would otherwise cost. Not thread-safe.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Opens a connection to <paramref name="connectionString"/> with full synchronous commits and foreign keys on.</summary>
    public static async Task<SqliteSession> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new SqliteSession(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The command for <paramref name="sql"/> (prepared on its first run, kept prepared afterwards), its parameters
    /// cleared and bound to <paramref name="transaction"/>. Valid until the next call for the same text; never disposed by callers.
    /// </summary>
    public SqliteCommand Command(string sql, SqliteTransaction transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
