using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Backends;

/// <summary>Optimistic concurrency: every write names the version it expects.</summary>
public abstract partial class StorageBackendContract
{
    [Fact]
    public async Task CreatingTwice_Conflicts()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);

        var error = await Assert.ThrowsAsync<StorageConflictException>(() => PutAsync(key, 0, [2]));

        Assert.Equal(key, error.Key);
        Assert.Equal(new byte[] { 1 }, (await GetAsync(key))!.Value);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(3L)]
    [InlineData(-1L)]
    public async Task PutWithAStaleOrFutureVersion_Conflicts(long expected)
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);

        await Assert.ThrowsAsync<StorageConflictException>(() => PutAsync(key, expected, [3]));

        var entry = await GetAsync(key);
        Assert.Equal(2, entry!.Version);
        Assert.Equal(new byte[] { 2 }, entry.Value);
    }

    [Fact]
    public async Task UpdatingAMissingRecord_Conflicts() =>
        await Assert.ThrowsAsync<StorageConflictException>(() => PutAsync(new StorageKey("t", "missing"), 1, [1]));

    [Theory]
    [InlineData(1L)]
    [InlineData(0L)]
    [InlineData(5L)]
    public async Task DeleteWithAStaleVersion_Conflicts(long expected)
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);

        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await Assert.ThrowsAsync<StorageConflictException>(async () => await tx.DeleteAsync(key, expected, None));
        }

        Assert.NotNull(await GetAsync(key));
    }

    [Fact]
    public async Task DeletingAMissingRecord_Conflicts()
    {
        await using var tx = await Backend.BeginAsync(write: true, None);

        await Assert.ThrowsAsync<StorageConflictException>(async () => await tx.DeleteAsync(new StorageKey("t", "missing"), 1, None));
    }

    [Fact]
    public async Task ASecondWriterSeesTheFirstWritersCommit_AndItsStaleVersionConflicts()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        var seen = (await GetAsync(key))!.Version;

        await PutAsync(key, seen, [2]);

        await Assert.ThrowsAsync<StorageConflictException>(() => PutAsync(key, seen, [3]));
        Assert.Equal(new byte[] { 2 }, (await GetAsync(key))!.Value);
    }

    [Fact]
    public async Task ParallelWriteTransactions_Serialize()
    {
        // Writers take the lock at BEGIN, so parallel read-modify-write transactions never lose an update.
        var key = new StorageKey("t", "counter");
        await PutAsync(key, 0, BitConverter.GetBytes(0));

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await using var tx = await Backend.BeginAsync(write: true, None);
            var entry = (await tx.GetAsync(key, None))!;
            await tx.PutAsync(key, entry.Version, BitConverter.GetBytes(BitConverter.ToInt32(entry.Value) + 1), None);
            await tx.CommitAsync(None);
        })));

        var final = (await GetAsync(key))!;
        Assert.Equal(16, BitConverter.ToInt32(final.Value));
        Assert.Equal(17, final.Version);
    }

    [Fact]
    public async Task ParallelWriteTransactions_OfTwoInstances_Serialize()
    {
        // Two nodes on the same storage: writers serialize across them too.
        var instances = new[] { Backend, await OpenAnotherAsync() };
        var key = new StorageKey("t", "counter");
        await PutAsync(key, 0, BitConverter.GetBytes(0));

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await using var tx = await instances[i % 2].BeginAsync(write: true, None);
            var entry = (await tx.GetAsync(key, None))!;
            await tx.PutAsync(key, entry.Version, BitConverter.GetBytes(BitConverter.ToInt32(entry.Value) + 1), None);
            await tx.CommitAsync(None);
        })));

        Assert.Equal(16, BitConverter.ToInt32((await GetAsync(key))!.Value));
    }
}
