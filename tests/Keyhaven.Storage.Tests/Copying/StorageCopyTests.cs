using System.Text;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Copying;
using Keyhaven.Storage.Postgres;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Copying;

/// <summary>A deployment copied from SQLite to PostgreSQL opens with the same root key and holds the same records.</summary>
public sealed class StorageCopyTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Every_record_of_every_table_arrives_sealed_and_opens_with_the_same_root_key()
    {
        await using var sqlite = await StorageHarness.OpenAsync();
        var written = new Dictionary<StorageKey, string>();
        for (var i = 0; i < 1_200; i++) // more than one page
        {
            var key = new StorageKey(i % 3 == 0 ? "keys" : i % 3 == 1 ? "aliases" : "audit_events", $"111/us-east-1/{i:D5}");
            written[key] = $"value {i}";
        }

        await sqlite.Store.WriteAsync(async tx =>
        {
            foreach (var (key, value) in written)
            {
                await tx.PutAsync(key, 0, Encoding.UTF8.GetBytes(value), None);
            }

            return true;
        }, None);
        await sqlite.Store.WriteAsync(async tx => // a record at version 2
        {
            var first = written.Keys.First();
            await tx.PutAsync(first, 1, Encoding.UTF8.GetBytes("updated"), None);
            written[first] = "updated";
            return true;
        }, None);

        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var postgres = new PostgresStorageBackend(database.ConnectionString);
        await postgres.InitializeAsync(None);
        var result = await StorageCopy.CopyAsync(sqlite.Backend, postgres, None);

        Assert.Equal(4, result.Tables); // keys, aliases, audit_events and the barrier's keyring
        Assert.Equal(written.Count + 1, result.Records);
        using var barrier = await StorageBarrier.OpenAsync(postgres, sqlite.RootKey, None);
        var store = new RecordStore(postgres, barrier);
        await using var reader = await store.BeginAsync(write: false, None);
        foreach (var (key, value) in written)
        {
            Assert.Equal(value, Encoding.UTF8.GetString((await reader.GetAsync(key, None))!.Value));
        }
    }

    [Fact]
    public async Task A_destination_that_holds_records_is_refused_and_left_alone()
    {
        await using var source = await StorageHarness.OpenAsync();
        await using var destination = await StorageHarness.OpenAsync(); // has its own keyring already

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StorageCopy.CopyAsync(source.Backend, destination.Backend, None));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
        await using var reader = await destination.Backend.BeginAsync(write: false, None);
        Assert.Equal(["barrier"], await reader.ListTablesAsync(None));
    }
}
