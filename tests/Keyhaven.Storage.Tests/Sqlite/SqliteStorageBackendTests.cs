using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Sqlite;
using Keyhaven.Storage.Tests.Backends;
using Keyhaven.Storage.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Tests.Sqlite;

/// <summary>The storage contract on a real SQLite file, and what is SQLite's own: schema table, WAL, single-node feed.</summary>
public sealed class SqliteStorageBackendTests : StorageBackendContract
{
    private TempDirectory _directory = null!;

    private string DatabasePath => _directory.File("keyhaven.db");

    protected override Task CreateStorageAsync()
    {
        _directory = new TempDirectory();
        return Task.CompletedTask;
    }

    protected override IStorageBackend CreateBackend() => new SqliteStorageBackend(DatabasePath);

    protected override Task DeleteStorageAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task InitializeAsync_KeepsOneSchemaRow()
    {
        await Backend.InitializeAsync(None);
        await OpenAnotherAsync();

        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM schema_info"));
    }

    [Fact]
    public async Task InitializeAsync_RefusesANewerSchema()
    {
        await ScalarAsync("UPDATE schema_info SET version = 2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Backend.InitializeAsync(None));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_UsesWriteAheadLogging() =>
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode"));

    [Fact]
    public async Task OnlyOneProcessOpensTheFile_SoItsFeedIsLiveAndItLeads()
    {
        Assert.True(Backend.Changes.IsLive);
        Assert.True(await Backend.HoldsLeadershipAsync(None));
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(None);
    }
}
