using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Sqlite;
using Keyhaven.Storage.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Storage.Tests.Sqlite;

/// <summary>The SQLite backend on a real file: get/put/delete, versions, transactions and schema.</summary>
public sealed partial class SqliteStorageBackendTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private SqliteStorageBackend _backend = null!;

    private string DatabasePath => _directory.File("keyhaven.db");

    public async Task InitializeAsync()
    {
        _backend = new SqliteStorageBackend(DatabasePath);
        await _backend.InitializeAsync(None);
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheValueAtVersionOne()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1, 2, 3]);

        var entry = await GetAsync(key);

        Assert.NotNull(entry);
        Assert.Equal(key, entry.Key);
        Assert.Equal(1, entry.Version);
        Assert.Equal(new byte[] { 1, 2, 3 }, entry.Value);
    }

    [Fact]
    public async Task Get_OfAMissingRecord_ReturnsNull() => Assert.Null(await GetAsync(new StorageKey("t", "missing")));

    [Fact]
    public async Task EachPut_IncrementsTheVersion()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);
        await PutAsync(key, 2, [3]);

        var entry = await GetAsync(key);

        Assert.Equal(3, entry!.Version);
        Assert.Equal(new byte[] { 3 }, entry.Value);
    }

    [Fact]
    public async Task EmptyValue_RoundTrips()
    {
        var key = new StorageKey("t", "empty");
        await PutAsync(key, 0, []);

        Assert.Empty((await GetAsync(key))!.Value);
    }

    [Fact]
    public async Task Tables_AreSeparateNamespaces()
    {
        await PutAsync(new StorageKey("t1", "same"), 0, [1]);
        await PutAsync(new StorageKey("t2", "same"), 0, [2]);

        Assert.Equal(new byte[] { 1 }, (await GetAsync(new StorageKey("t1", "same")))!.Value);
        Assert.Equal(new byte[] { 2 }, (await GetAsync(new StorageKey("t2", "same")))!.Value);
    }

    [Fact]
    public async Task Delete_RemovesTheRecord_AndItCanBeCreatedAgainAtVersionOne()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);

        await using (var tx = await _backend.BeginAsync(write: true, None))
        {
            await tx.DeleteAsync(key, 2, None);
            await tx.CommitAsync(None);
        }

        Assert.Null(await GetAsync(key));
        await PutAsync(key, 0, [3]);
        Assert.Equal(1, (await GetAsync(key))!.Version);
    }

    [Fact]
    public async Task DisposeWithoutCommit_RollsBack()
    {
        var existing = new StorageKey("t", "existing");
        await PutAsync(existing, 0, [1]);

        await using (var tx = await _backend.BeginAsync(write: true, None))
        {
            await tx.PutAsync(new StorageKey("t", "new"), 0, new byte[] { 9 }, None);
            await tx.PutAsync(existing, 1, new byte[] { 9 }, None);
        }

        Assert.Null(await GetAsync(new StorageKey("t", "new")));
        var entry = await GetAsync(existing);
        Assert.Equal(1, entry!.Version);
        Assert.Equal(new byte[] { 1 }, entry.Value);
    }

    [Fact]
    public async Task UncommittedWrites_AreInvisibleToOtherTransactions()
    {
        var key = new StorageKey("t", "a");
        await using var writer = await _backend.BeginAsync(write: true, None);
        await writer.PutAsync(key, 0, new byte[] { 1 }, None);

        Assert.Null(await GetAsync(key));

        await writer.CommitAsync(None);
        Assert.NotNull(await GetAsync(key));
    }

    [Fact]
    public async Task InitializeAsync_IsIdempotent_AndKeepsData()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);

        await _backend.InitializeAsync(None);
        await using var again = new SqliteStorageBackend(DatabasePath);
        await again.InitializeAsync(None);
        await again.InitializeAsync(None);

        await using var tx = await again.BeginAsync(write: false, None);
        Assert.Equal(new byte[] { 1 }, (await tx.GetAsync(key, None))!.Value);
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM schema_info"));
    }

    [Fact]
    public async Task InitializeAsync_RefusesANewerSchema()
    {
        await ScalarAsync("UPDATE schema_info SET version = 2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await _backend.InitializeAsync(None));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_UsesWriteAheadLogging() =>
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode"));

    private async Task PutAsync(StorageKey key, long expectedVersion, byte[] value)
    {
        await using var tx = await _backend.BeginAsync(write: true, None);
        await tx.PutAsync(key, expectedVersion, value, None);
        await tx.CommitAsync(None);
    }

    private async Task<StorageEntry?> GetAsync(StorageKey key)
    {
        await using var tx = await _backend.BeginAsync(write: false, None);
        return await tx.GetAsync(key, None);
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
