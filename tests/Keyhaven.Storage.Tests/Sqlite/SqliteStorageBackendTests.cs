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

    [Fact]
    public async Task A_second_writer_waits_for_the_open_write_transaction_and_readers_do_not()
    {
        var first = await Backend.BeginAsync(write: true, None);

        // SQLite's busy handler blocks the second writer's thread until the lock is free (or 30 s pass).
        var second = Task.Run(async () => await Backend.BeginAsync(write: true, None));
        await Task.Delay(200);
        Assert.False(second.IsCompleted);

        await using (var read = await Backend.BeginAsync(write: false, None))
        {
            Assert.Null(await read.GetAsync(new StorageKey("t", "a"), None));
        }

        await first.DisposeAsync(); // ends without a commit
        await using var next = await second.WaitAsync(TimeSpan.FromSeconds(10));
        await next.PutAsync(new StorageKey("t", "a"), 0, new byte[] { 1 }, None);
        await next.CommitAsync(None);
        Assert.Equal(new byte[] { 1 }, (await GetAsync(new StorageKey("t", "a")))!.Value);
    }

    [Fact]
    public async Task A_write_transaction_that_failed_releases_the_lock_and_its_connection_serves_again()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await using (var failed = await Backend.BeginAsync(write: true, None))
        {
            await Assert.ThrowsAsync<StorageConflictException>(async () => await failed.PutAsync(key, 0, new byte[] { 2 }, None));
        }

        await PutAsync(key, 1, [3]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new byte[] { 3 }, (await GetAsync(key))!.Value);
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
