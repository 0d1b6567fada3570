using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Postgres;
using Keyhaven.Storage.Tests.Backends;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Postgres;

/// <summary>
/// The storage contract on a real PostgreSQL database, and what is PostgreSQL's own: migrations under an advisory lock,
/// the change feed between nodes, and leadership.
/// </summary>
public sealed partial class PostgresStorageBackendTests : StorageBackendContract
{
    private PostgresTestDatabase _database = null!;

    protected override async Task CreateStorageAsync() => _database = await PostgresTestDatabase.CreateAsync();

    protected override IStorageBackend CreateBackend() => new PostgresStorageBackend(_database.ConnectionString);

    protected override async Task DeleteStorageAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task NodesStartingTogether_MigrateOnce()
    {
        await using var fresh = await PostgresTestDatabase.CreateAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => new PostgresStorageBackend(fresh.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.InitializeAsync(None).AsTask()));

            Assert.Equal(1L, await fresh.ScalarAsync("SELECT count(*) FROM keyhaven_schema"));
            Assert.Equal(1, await fresh.ScalarAsync("SELECT version FROM keyhaven_schema"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task InitializeAsync_RefusesANewerSchema()
    {
        await _database.ScalarAsync("UPDATE keyhaven_schema SET version = 99");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await CreateBackend().InitializeAsync(None));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadTransactions_CannotWrite()
    {
        await using var tx = await Backend.BeginAsync(write: false, None);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.PutAsync(new StorageKey("t", "a"), 0, new byte[] { 1 }, None));
    }

    [Fact]
    public async Task ReadTransactions_SeeOneSnapshot()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await using var reader = await Backend.BeginAsync(write: false, None);
        Assert.Equal(1, (await reader.GetAsync(key, None))!.Version);

        await PutAsync(key, 1, [2]);

        Assert.Equal(1, (await reader.GetAsync(key, None))!.Version);
        Assert.Equal(2, (await GetAsync(key))!.Version);
    }

    [Fact]
    public async Task Records_AreStoredAsOpaqueBytesUnderTheirId()
    {
        await PutAsync(new StorageKey("t", "visible-id"), 0, [0xDE, 0xAD]);

        Assert.Equal(new byte[] { 0xDE, 0xAD }, await _database.ScalarAsync("SELECT value FROM keyhaven_records WHERE tbl = 't' AND id = 'visible-id'"));
    }
}
