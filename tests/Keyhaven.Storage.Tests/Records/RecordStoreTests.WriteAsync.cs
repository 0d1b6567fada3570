using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Storage.Tests.Records;

/// <summary>WriteAsync: commits, retries on a conflicting writer, gives up after five attempts, never retries other errors.</summary>
public sealed partial class RecordStoreTests
{
    private static readonly StorageKey Counter = new("t", "counter");

    [Fact]
    public async Task TwoParallelIncrements_BothLand()
    {
        await PutAsync(Counter, 0, BitConverter.GetBytes(0L));

        await Task.WhenAll(Task.Run(IncrementAsync), Task.Run(IncrementAsync));

        Assert.Equal(2L, BitConverter.ToInt64((await GetAsync(Counter))!.Value));
    }

    [Fact]
    public async Task ManyParallelIncrements_AllLand()
    {
        await PutAsync(Counter, 0, BitConverter.GetBytes(0L));

        await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(IncrementAsync)));

        var record = await GetAsync(Counter);
        Assert.Equal(24L, BitConverter.ToInt64(record!.Value));
        Assert.Equal(25, record.Version);
    }

    [Fact]
    public async Task AConflictingWriter_IsRetried_AndBothUpdatesLand()
    {
        await PutAsync(Counter, 0, BitConverter.GetBytes(0L));
        var stale = (await GetAsync(Counter))!;
        await IncrementAsync(); // another writer commits after our first read

        var attempts = 0;
        await Store.WriteAsync(async tx =>
        {
            attempts++;
            // The first attempt writes from the stale read, as a caller holding a cached record would; retries read afresh.
            var current = attempts == 1 ? stale : (await tx.GetAsync(Counter, None))!;
            await tx.PutAsync(Counter, current.Version, BitConverter.GetBytes(BitConverter.ToInt64(current.Value) + 1), None);
            return true;
        }, None);

        Assert.Equal(2, attempts);
        var record = await GetAsync(Counter);
        Assert.Equal(2L, BitConverter.ToInt64(record!.Value));
        Assert.Equal(3, record.Version);
    }

    [Fact]
    public async Task AWriteThatAlwaysConflicts_GivesUpAfterFiveAttempts()
    {
        await PutAsync(Counter, 0, BitConverter.GetBytes(0L));
        var attempts = 0;

        await Assert.ThrowsAsync<StorageConflictException>(() => Store.WriteAsync(async tx =>
        {
            attempts++;
            await tx.PutAsync(Counter, 0, [1], None);
            return true;
        }, None));

        Assert.Equal(5, attempts);
    }

    [Fact]
    public async Task OtherErrors_AreNotRetried_AndRollBack()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.WriteAsync<bool>(async tx =>
        {
            attempts++;
            await tx.PutAsync(Counter, 0, [1], None);
            throw new InvalidOperationException("refused");
        }, None));

        Assert.Equal(1, attempts);
        Assert.Null(await GetAsync(Counter));
    }

    [Fact]
    public async Task WritesFromAFailedAttempt_AreRolledBackBeforeTheRetry()
    {
        var other = new StorageKey("t", "side-effect");
        var attempts = 0;

        await Store.WriteAsync(async tx =>
        {
            attempts++;
            if (attempts == 1)
            {
                await tx.PutAsync(other, 0, [1], None);
                throw new StorageConflictException(Counter, 0);
            }

            await tx.PutAsync(other, 0, [2], None); // would conflict if the first attempt's write had survived
            return true;
        }, None);

        Assert.Equal(new byte[] { 2 }, (await GetAsync(other))!.Value);
    }

    private async Task IncrementAsync() =>
        await Store.WriteAsync(async tx =>
        {
            var record = (await tx.GetAsync(Counter, None))!;
            await tx.PutAsync(Counter, record.Version, BitConverter.GetBytes(BitConverter.ToInt64(record.Value) + 1), None);
            return true;
        }, None);
}
