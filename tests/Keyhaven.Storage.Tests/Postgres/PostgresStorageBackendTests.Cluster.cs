using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Postgres;

/// <summary>Several nodes on one database: each hears of the others' commits, and one at a time leads.</summary>
public sealed partial class PostgresStorageBackendTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ACommit_IsAnnouncedToOtherNodes_NotToItself()
    {
        var other = await OpenAnotherAsync();
        var heardByOther = new TaskCompletionSource<StorageKey?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var heardBySelf = new List<StorageKey?>();
        other.Changes.Changed += key => heardByOther.TrySetResult(key);
        Backend.Changes.Changed += heardBySelf.Add;
        Assert.True(other.Changes.IsLive);

        await PutAsync(new StorageKey("keys", "111/us-east-1/k"), 0, [1]);

        Assert.Equal(new StorageKey("keys", "111/us-east-1/k"), await heardByOther.Task.WaitAsync(Patience));
        Assert.Empty(heardBySelf);
    }

    [Fact]
    public async Task RolledBackWrites_AreNotAnnounced_AndDeletesAre()
    {
        var other = await OpenAnotherAsync();
        var heard = new List<StorageKey?>();
        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Changes.Changed += key =>
        {
            lock (heard)
            {
                heard.Add(key);
                if (heard.Count(k => k?.Id == "deleted") == 2)
                {
                    deleted.TrySetResult(); // the put and the delete
                }
            }
        };
        await using (var rolledBack = await Backend.BeginAsync(write: true, None))
        {
            await rolledBack.PutAsync(new StorageKey("t", "never"), 0, new byte[] { 1 }, None);
        }

        await PutAsync(new StorageKey("t", "deleted"), 0, [1]);
        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await tx.DeleteAsync(new StorageKey("t", "deleted"), 1, None);
            await tx.CommitAsync(None);
        }

        await deleted.Task.WaitAsync(Patience);
        lock (heard)
        {
            Assert.DoesNotContain(new StorageKey("t", "never"), heard);
            Assert.Equal(2, heard.Count(k => k == new StorageKey("t", "deleted")));
        }
    }

    [Fact]
    public async Task ARecordNameTooLongToNotify_IsAnnouncedAsAnythingChanged()
    {
        var other = await OpenAnotherAsync();
        var heard = new TaskCompletionSource<StorageKey?>(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Changes.Changed += key => heard.TrySetResult(key);

        await PutAsync(new StorageKey("t", new string('x', 9000)), 0, [1]);

        Assert.Null(await heard.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task OneNodeLeads_AndAnotherTakesOverWhenItStops()
    {
        var first = await OpenAnotherAsync();
        var second = await OpenAnotherAsync();

        Assert.True(await first.HoldsLeadershipAsync(None));
        Assert.False(await second.HoldsLeadershipAsync(None));
        Assert.True(await first.HoldsLeadershipAsync(None));

        await first.DisposeAsync(); // its session, and so the lock, ends

        Assert.True(await second.HoldsLeadershipAsync(None));
    }

    [Fact]
    public async Task WhenTheFeedsConnectionIsKilled_ItIsNotLiveUntilItReconnects_AndSaysAnythingMayHaveChanged()
    {
        var other = await OpenAnotherAsync();
        var transitions = new List<(StorageKey? Key, bool Live)>();
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Changes.Changed += key =>
        {
            lock (transitions)
            {
                transitions.Add((key, other.Changes.IsLive));
            }

            if (key is null && other.Changes.IsLive)
            {
                back.TrySetResult();
            }
        };

        // Kill every session on this database (as a restart or a network cut would).
        await _database.ScalarAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");

        await back.Task.WaitAsync(Patience);
        lock (transitions)
        {
            Assert.Contains((null, false), transitions);
            Assert.Equal((null, true), transitions[^1]);
        }

        // And it hears commits again.
        var heard = new TaskCompletionSource<StorageKey?>(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Changes.Changed += key =>
        {
            if (key is not null)
            {
                heard.TrySetResult(key);
            }
        };
        await PutAsync(new StorageKey("t", "after"), 0, [1]);
        Assert.Equal(new StorageKey("t", "after"), await heard.Task.WaitAsync(Patience));
    }
}
