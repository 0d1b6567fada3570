using Npgsql;

namespace Keyhaven.Storage.Tests.Support;

/// <summary>
/// A fresh database on the test PostgreSQL cluster named by <c>KEYHAVEN_TEST_POSTGRES</c> (an Npgsql connection string
/// of a user that may create databases; ./test.sh starts a throwaway cluster and sets it). Dropped on dispose.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "KEYHAVEN_TEST_POSTGRES";

    private PostgresTestDatabase(string administration, string name)
    {
        Administration = administration;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(administration) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>The connection string of the cluster's maintenance database (to create and drop databases).</summary>
    public string Administration { get; }

    public string Name { get; }

    /// <summary>An Npgsql connection string for this database.</summary>
    public string ConnectionString { get; }

    /// <summary>The cluster's administration connection string.</summary>
    /// <exception cref="InvalidOperationException">The variable is not set: these tests cannot run.</exception>
    public static string ClusterConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"The PostgreSQL tests need {Variable} (e.g. Host=127.0.0.1;Port=54329;Username=keyhaven;Database=postgres); ./test.sh starts a throwaway cluster and sets it.");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var administration = ClusterConnectionString;
        var name = "keyhaven_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(administration, $"CREATE DATABASE {name} STRATEGY FILE_COPY");
        return new PostgresTestDatabase(administration, name);
    }

    /// <summary>Runs one statement on this database (on a connection of its own) and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync(Administration, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
