using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Backends;

/// <summary>ListAsync: prefix match, ordinal order, paging with afterId and limit.</summary>
public abstract partial class StorageBackendContract
{
    [Fact]
    public async Task List_ReturnsOnlyTheTableAndPrefix_InOrdinalOrder()
    {
        foreach (var id in new[] { "b/2", "a/9", "b/10", "b/1", "B/0", "c/1", "b" })
        {
            await PutAsync(new StorageKey("t", id), 0, [1]);
        }

        await PutAsync(new StorageKey("other", "b/3"), 0, [1]);

        Assert.Equal(["b/1", "b/10", "b/2"], await ListIdsAsync("t", "b/", null, 100));
        Assert.Equal(["B/0", "a/9", "b", "b/1", "b/10", "b/2", "c/1"], await ListIdsAsync("t", "", null, 100));
    }

    [Fact]
    public async Task List_PagesWithAfterIdAndLimit()
    {
        var ids = Enumerable.Range(0, 25).Select(i => $"p/{i:D3}").ToArray();
        foreach (var id in ids)
        {
            await PutAsync(new StorageKey("t", id), 0, [1]);
        }

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await ListIdsAsync("t", "p/", after, 7);
            Assert.True(page.Count <= 7);
            seen.AddRange(page);
            if (page.Count < 7)
            {
                break;
            }

            after = page[^1];
        }

        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task List_AfterId_IsExclusive_AndNeedNotExist()
    {
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await PutAsync(new StorageKey("t", id), 0, [1]);
        }

        Assert.Equal(["c", "d"], await ListIdsAsync("t", "", "b", 10));
        Assert.Equal(["c", "d"], await ListIdsAsync("t", "", "bb", 10));
        Assert.Empty(await ListIdsAsync("t", "", "d", 10));
    }

    [Fact]
    public async Task List_TreatsLikeWildcardsInThePrefixLiterally()
    {
        foreach (var id in new[] { "a%b", "axb", "a_c", "ayc", "a\\d" })
        {
            await PutAsync(new StorageKey("t", id), 0, [1]);
        }

        Assert.Equal(["a%b"], await ListIdsAsync("t", "a%", null, 10));
        Assert.Equal(["a_c"], await ListIdsAsync("t", "a_", null, 10));
        Assert.Equal(["a\\d"], await ListIdsAsync("t", "a\\", null, 10));
    }

    [Fact]
    public async Task List_ReturnsVersionsAndValues()
    {
        await PutAsync(new StorageKey("t", "a"), 0, [1]);
        await PutAsync(new StorageKey("t", "a"), 1, [2]);

        await using var tx = await Backend.BeginAsync(write: false, None);
        var entry = Assert.Single(await tx.ListAsync("t", "", null, 10, None));

        Assert.Equal(new StorageKey("t", "a"), entry.Key);
        Assert.Equal(2, entry.Version);
        Assert.Equal(new byte[] { 2 }, entry.Value);
    }

    private static readonly Gen<string> AsciiId =
        from length in Gen.Choose(0, 6)
        from chars in Gen.ArrayOf(Gen.Elements('a', 'b', 'B', '/', '%', '_', '0', '~'), length)
        select new string(chars);

    [Property(MaxTest = 40)]
    public Property List_MatchesAnOrdinalFilterOfTheIds() =>
        Prop.ForAll(
            Gen.ArrayOf(AsciiId).Select(ids => ids.Distinct(StringComparer.Ordinal).ToArray()).ToArbitrary(),
            AsciiId.ToArbitrary(),
            Gen.Choose(1, 10).ToArbitrary(),
            (ids, prefix, limit) => CheckListingAsync(ids, prefix, limit).GetAwaiter().GetResult());

    private async Task<bool> CheckListingAsync(string[] ids, string prefix, int limit)
    {
        var table = "prop-" + Guid.NewGuid().ToString("N");
        foreach (var id in ids)
        {
            await PutAsync(new StorageKey(table, id), 0, [1]);
        }

        var expected = ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var listed = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await ListIdsAsync(table, prefix, after, limit);
            listed.AddRange(page);
            if (page.Count < limit)
            {
                break;
            }

            after = page[^1];
        }

        Assert.Equal(expected, listed);
        return true;
    }

    [Fact]
    public async Task List_FindsIdsWhoseNextCharacterIsU_FFFF_OrOutsideTheBmp()
    {
        foreach (var id in new[] { "p/a", "p/\uFFFF", "p/\U0001F511" })
        {
            await PutAsync(new StorageKey("t", id), 0, [1]);
        }

        Assert.Equal(3, (await ListIdsAsync("t", "p/", null, 10)).Count);
    }

    private async Task<List<string>> ListIdsAsync(string table, string prefix, string? afterId, int limit)
    {
        await using var tx = await Backend.BeginAsync(write: false, None);
        return (await tx.ListAsync(table, prefix, afterId, limit, None)).Select(e => e.Key.Id).ToList();
    }
}
