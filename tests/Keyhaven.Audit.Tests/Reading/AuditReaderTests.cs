using Keyhaven.Audit.Reading;
using Keyhaven.Audit.Tests.Support;
using Keyhaven.Audit.Trail;

namespace Keyhaven.Audit.Tests.Reading;

public sealed class AuditReaderTests
{
    [Fact]
    public async Task Newest_first_reading_goes_back_page_by_page_from_the_head_or_a_position()
    {
        await using var store = await TrailStore.CreateAsync();
        await using (var trail = await store.OpenTrailAsync())
        {
            for (var i = 1; i <= 1203; i++)
            {
                await trail.AppendAsync(TrailStore.Event(i % 3 == 0 ? "Decrypt" : "Encrypt"));
            }
        }

        var reader = new AuditReader(store.Records);
        Assert.Equal(Enumerable.Range(1, 1203).Reverse().Select(i => (long)i), await SequencesAsync(reader.ReadNewestFirstAsync()));
        Assert.Equal(Enumerable.Range(1, 700).Reverse().Select(i => (long)i), await SequencesAsync(reader.ReadNewestFirstAsync(beforeSequence: 701)));
        var decrypts = await SequencesAsync(reader.ReadNewestFirstAsync(new AuditEventFilter { EventName = "Decrypt" }));
        Assert.Equal(Enumerable.Range(1, 401).Reverse().Select(i => (long)i * 3), decrypts);
        Assert.Empty(await SequencesAsync(reader.ReadNewestFirstAsync(beforeSequence: 1)));
    }

    [Fact]
    public async Task Newest_first_reading_stops_well_before_the_start_of_the_time_range()
    {
        await using var store = await TrailStore.CreateAsync();
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var trail = await store.OpenTrailAsync())
        {
            for (var i = 0; i < 1500; i++)
            {
                await trail.AppendAsync(TrailStore.Event("Encrypt", start.AddHours(i)));
            }
        }

        // Event 1 no longer opens: reading it would throw, so the reader must stop before it gets there.
        await store.TamperAsync("UPDATE records SET value = zeroblob(64) WHERE tbl = 'audit-events' AND id = $a", ("$a", AuditRecords.Id(1)));
        var from = start.AddHours(1400);
        var found = await SequencesAsync(new AuditReader(store.Records).ReadNewestFirstAsync(new AuditEventFilter { From = from }));
        Assert.Equal(Enumerable.Range(1401, 100).Reverse().Select(i => (long)i), found);
        await Assert.ThrowsAnyAsync<Exception>(() => SequencesAsync(new AuditReader(store.Records).ReadNewestFirstAsync())); // without the range it does get there
    }

    [Fact]
    public async Task An_empty_trail_reads_as_nothing()
    {
        await using var store = await TrailStore.CreateAsync();
        Assert.Empty(await SequencesAsync(new AuditReader(store.Records).ReadNewestFirstAsync()));
    }

    private static async Task<List<long>> SequencesAsync(IAsyncEnumerable<StoredAuditEvent> events)
    {
        var sequences = new List<long>();
        await foreach (var e in events)
        {
            sequences.Add(e.Sequence);
        }

        return sequences;
    }
}
