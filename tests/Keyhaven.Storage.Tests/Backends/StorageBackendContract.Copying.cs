using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Backends;

/// <summary>ListTablesAsync and ImportAsync: what copying a deployment between backends needs.</summary>
public abstract partial class StorageBackendContract
{
    [Fact]
    public async Task ListTables_NamesEveryTableWithARecord_InOrdinalOrder()
    {
        await PutAsync(new StorageKey("keys", "a"), 0, [1]);
        await PutAsync(new StorageKey("Aliases", "a"), 0, [1]);
        await PutAsync(new StorageKey("gone", "a"), 0, [1]);
        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await tx.DeleteAsync(new StorageKey("gone", "a"), 1, None);
            await tx.CommitAsync(None);
        }

        await using var reader = await Backend.BeginAsync(write: false, None);
        Assert.Equal(["Aliases", "keys"], await reader.ListTablesAsync(None));
    }

    [Fact]
    public async Task Import_KeepsTheVersion_AndLaterWritesContinueFromIt()
    {
        var key = new StorageKey("t", "imported");
        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await tx.ImportAsync(new StorageEntry(key, 7, [1, 2]), None);
            await tx.CommitAsync(None);
        }

        var entry = await GetAsync(key);
        Assert.Equal(7, entry!.Version);
        Assert.Equal(new byte[] { 1, 2 }, entry.Value);
        await PutAsync(key, 7, [3]);
        Assert.Equal(8, (await GetAsync(key))!.Version);
    }

    [Fact]
    public async Task Import_OfAnExistingRecord_Conflicts()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);

        await using var tx = await Backend.BeginAsync(write: true, None);
        await Assert.ThrowsAsync<StorageConflictException>(async () => await tx.ImportAsync(new StorageEntry(key, 5, [2]), None));
    }
}
