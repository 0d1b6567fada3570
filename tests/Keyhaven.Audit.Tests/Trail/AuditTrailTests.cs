using Keyhaven.Audit.Reading;
using Keyhaven.Audit.Tests.Support;
using Keyhaven.Audit.Trail;
using Keyhaven.Audit.Verification;

namespace Keyhaven.Audit.Tests.Trail;

public sealed class AuditTrailTests
{
    [Fact]
    public async Task Concurrent_appends_are_group_committed_into_one_unbroken_chain()
    {
        await using var store = await TrailStore.CreateAsync();
        await using (var trail = await store.OpenTrailAsync())
        {
            await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(() => trail.AppendAsync(TrailStore.Event("Encrypt" + i)))));
            Assert.Equal(2000, trail.LastSequence);
        }

        var events = new List<StoredAuditEvent>();
        await foreach (var e in new AuditReader(store.Records).ReadAsync())
        {
            events.Add(e);
        }

        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(2000, events.Select(e => e.Event.EventName).Distinct().Count());
        var report = await new AuditVerifier(store.Backend, store.Barrier).VerifyAsync();
        Assert.True(report.IsIntact, string.Join("\n", report.Findings));
        Assert.Equal((2000, 1), (report.EventsVerified, report.DigestsVerified));
    }

    [Fact]
    public async Task The_chain_continues_across_restarts_and_each_shutdown_signs_a_digest()
    {
        await using var store = await TrailStore.CreateAsync();
        for (var run = 0; run < 3; run++)
        {
            await using var trail = await store.OpenTrailAsync();
            for (var i = 0; i < 5; i++)
            {
                await trail.AppendAsync(TrailStore.Event("Run" + run));
            }

            await trail.WriteDigestAsync();
            Assert.Equal((run + 1) * 5, trail.LastSequence);
            await trail.DisposeAsync();
            await store.Backend.DisposeAsync();
            await store.OpenAsync();
        }

        var report = await new AuditVerifier(store.Backend, store.Barrier).VerifyAsync();
        Assert.True(report.IsIntact, string.Join("\n", report.Findings));
        Assert.Equal((15, 6, 1, 15), (report.EventsVerified, report.DigestsVerified, report.FirstSequence, report.LastSequence));
    }

    [Fact]
    public async Task Appending_after_the_trail_is_closed_fails()
    {
        await using var store = await TrailStore.CreateAsync();
        var trail = await store.OpenTrailAsync();
        await trail.DisposeAsync();
        await Assert.ThrowsAsync<AuditWriteException>(() => trail.AppendAsync(TrailStore.Event("Late")));
    }
}
