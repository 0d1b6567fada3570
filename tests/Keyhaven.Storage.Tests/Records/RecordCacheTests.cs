using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Storage.Tests.Records;

/// <summary>The domain's caches never put back a value that a committed write replaced, here or on another node.</summary>
public sealed class RecordCacheTests
{
    [Fact]
    public void A_read_that_began_before_a_write_is_not_cached()
    {
        var cache = new RecordCache<string>(new StorageChangeFeed(isLive: true));
        var before = cache.Generation;
        cache.Invalidate("u"); // a write commits while the read is in flight
        cache.Populate("u", "stale", before);
        Assert.False(cache.TryGet("u", out _));

        var after = cache.Generation;
        cache.Populate("u", "fresh", after);
        Assert.True(cache.TryGet("u", out var value));
        Assert.Equal("fresh", value);
        cache.Invalidate("u");
        Assert.False(cache.TryGet("u", out _));
    }

    [Fact]
    public void Of_two_writers_finishing_out_of_order_neither_value_is_kept()
    {
        var cache = new RecordCache<string>(new StorageChangeFeed(isLive: true));
        var first = cache.Generation;
        var second = cache.Generation;

        cache.Store("k", "v3", second); // the later commit refreshes first
        Assert.True(cache.TryGet("k", out var value));
        Assert.Equal("v3", value);
        cache.Store("k", "v2", first); // the earlier commit must not overwrite it

        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void Another_nodes_commit_empties_the_cache_and_fails_reads_in_flight()
    {
        var feed = new StorageChangeFeed(isLive: true);
        var cache = new RecordCache<string>(feed);
        cache.Populate("a", "1", cache.Generation);
        var inFlight = cache.Generation;

        feed.Publish(new StorageKey("t", "b")); // any record: the whole cache starts over

        Assert.False(cache.TryGet("a", out _));
        cache.Populate("a", "stale", inFlight);
        Assert.False(cache.TryGet("a", out _));
    }

    [Fact]
    public void Another_nodes_commit_to_an_uncached_table_leaves_the_cache_alone()
    {
        var feed = new StorageChangeFeed(isLive: true);
        var cache = new RecordCache<string>(feed);
        feed.DeclareUncached("audit-events");
        cache.Populate("k", "v", cache.Generation);

        feed.Publish(new StorageKey("audit-events", "00000000000000000001"));
        Assert.True(cache.TryGet("k", out _));

        feed.Publish(new StorageKey("kms-keys", "k"));
        Assert.False(cache.TryGet("k", out _));
        cache.Populate("k", "v", cache.Generation);
        feed.Publish(null); // anything may have changed
        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void While_the_feed_is_down_nothing_is_served_or_kept()
    {
        var feed = new StorageChangeFeed(isLive: true);
        var cache = new RecordCache<string>(feed);
        cache.Populate("a", "1", cache.Generation);

        feed.SetLive(false);
        Assert.False(cache.TryGet("a", out _));
        cache.Populate("a", "2", cache.Generation);
        cache.Store("b", "2", cache.Generation);
        feed.SetLive(true);

        Assert.False(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
        cache.Populate("a", "3", cache.Generation);
        Assert.True(cache.TryGet("a", out _));
    }

    [Fact]
    public void Every_value_that_leaves_the_cache_is_reported_once()
    {
        var feed = new StorageChangeFeed(isLive: true);
        var evicted = new List<string>();
        var cache = new RecordCache<string>(feed, evicted.Add);
        var one = "one";
        cache.Populate("a", one, cache.Generation);
        cache.Store("a", one, cache.Generation); // the same value again: nothing leaves
        Assert.Empty(evicted);

        cache.Store("a", "two", cache.Generation); // replaced
        var stale = cache.Generation;
        cache.Invalidate("a");                   // dropped
        cache.Populate("b", "three", cache.Generation);
        cache.Store("b", "four", stale);         // a write raced another: dropped, not stored
        cache.Populate("c", "five", cache.Generation);
        feed.Publish(null);                      // another node: everything goes

        Assert.Equal(["one", "two", "three", "five"], evicted);
    }
}
