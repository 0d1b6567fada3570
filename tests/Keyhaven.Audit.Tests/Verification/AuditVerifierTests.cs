using Keyhaven.Audit.Tests.Support;
using Keyhaven.Audit.Trail;
using Keyhaven.Audit.Verification;

namespace Keyhaven.Audit.Tests.Verification;

/// <summary>
/// Someone with the database file but not the root key edits, deletes, reorders, inserts and truncates rows of the
/// trail directly in SQLite; verification names each change and its position, and passes on an untouched trail.
/// </summary>
public sealed class AuditVerifierTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A trail of <paramref name="count"/> events, one a minute from <see cref="Start"/>, closed with a digest.</summary>
    private static async Task<TrailStore> TrailAsync(int count = 20)
    {
        var store = await TrailStore.CreateAsync();
        await using var trail = await store.OpenTrailAsync();
        for (var i = 1; i <= count; i++)
        {
            await trail.AppendAsync(TrailStore.Event("Event" + i, Start.AddMinutes(i)));
        }

        return store;
    }

    private static Task<AuditVerificationReport> VerifyAsync(TrailStore store, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new AuditVerifier(store.Backend, store.Barrier).VerifyAsync(from, to);

    [Fact]
    public async Task An_untouched_trail_verifies()
    {
        await using var store = await TrailAsync();
        var report = await VerifyAsync(store);
        Assert.True(report.IsIntact, string.Join("\n", report.Findings));
        Assert.Equal((20, 1), (report.EventsVerified, report.DigestsVerified));
    }

    [Fact]
    public async Task A_modified_event_is_reported_at_its_position()
    {
        await using var store = await TrailAsync();
        await store.FlipByteAsync(7);
        var finding = Assert.Single((await VerifyAsync(store)).Findings);
        Assert.Equal((AuditFindingKind.Modified, 7L), (finding.Kind, finding.Position));
    }

    [Fact]
    public async Task Deleted_events_are_reported_with_their_positions()
    {
        await using var store = await TrailAsync();
        await store.TamperAsync("DELETE FROM records WHERE tbl = 'audit-events' AND id IN ($a, $b)", ("$a", AuditRecords.Id(5)), ("$b", AuditRecords.Id(6)));
        var finding = Assert.Single((await VerifyAsync(store)).Findings);
        Assert.Equal((AuditFindingKind.Deleted, 5L), (finding.Kind, finding.Position));
        Assert.Contains("Events 5 to 6 are missing", finding.Detail);
    }

    [Fact]
    public async Task Swapped_events_are_reported_as_reordered()
    {
        await using var store = await TrailAsync();
        await store.TamperAsync("""
            UPDATE records SET id = 'swap' WHERE tbl = 'audit-events' AND id = $a;
            UPDATE records SET id = $a WHERE tbl = 'audit-events' AND id = $b;
            UPDATE records SET id = $b WHERE tbl = 'audit-events' AND id = 'swap';
            """, ("$a", AuditRecords.Id(10)), ("$b", AuditRecords.Id(11)));
        var findings = (await VerifyAsync(store)).Findings;
        Assert.Equal([(AuditFindingKind.Reordered, 10L), (AuditFindingKind.Reordered, 11L)], findings.Select(f => (f.Kind, f.Position)));
        Assert.Contains("holds event 11", findings[0].Detail);
    }

    [Fact]
    public async Task An_inserted_copy_and_a_made_up_row_are_reported_as_inserted()
    {
        await using var store = await TrailAsync();
        await store.TamperAsync("""
            INSERT INTO records (tbl, id, version, value) SELECT tbl, $to, version, value FROM records WHERE tbl = 'audit-events' AND id = $from;
            INSERT INTO records (tbl, id, version, value) VALUES ('audit-events', 'forged', 1, X'0102');
            """, ("$from", AuditRecords.Id(3)), ("$to", AuditRecords.Id(21)));
        var findings = (await VerifyAsync(store)).Findings;
        Assert.Equal([(AuditFindingKind.Inserted, 0L), (AuditFindingKind.Inserted, 21L)], findings.Select(f => (f.Kind, f.Position)));
        Assert.Contains("copy of event 3", findings[1].Detail);
    }

    [Fact]
    public async Task A_truncated_end_is_reported_against_the_signed_digest()
    {
        await using var store = await TrailAsync();
        await store.TamperAsync("DELETE FROM records WHERE tbl = 'audit-events' AND id > $id", ("$id", AuditRecords.Id(17)));
        var finding = Assert.Single((await VerifyAsync(store)).Findings);
        Assert.Equal((AuditFindingKind.Truncated, 18L), (finding.Kind, finding.Position));
        Assert.Contains("Events 18 to 20", finding.Detail);
    }

    [Fact]
    public async Task An_altered_or_deleted_digest_is_reported()
    {
        await using var store = await TrailAsync();
        await using (var trail = await store.OpenTrailAsync())
        {
            await trail.AppendAsync(TrailStore.Event("After"));
        }

        await store.TamperAsync("DELETE FROM records WHERE tbl = 'audit-digests' AND id = $id", ("$id", AuditRecords.Id(1)));
        var finding = Assert.Single((await VerifyAsync(store)).Findings);
        Assert.Equal((AuditFindingKind.DigestInvalid, 1L), (finding.Kind, finding.Position));
    }

    [Fact]
    public async Task A_time_range_limits_the_findings_to_its_events()
    {
        await using var store = await TrailAsync();
        await store.FlipByteAsync(3);
        await store.FlipByteAsync(15);
        var report = await VerifyAsync(store, Start.AddMinutes(10), Start.AddMinutes(20));
        Assert.Equal((AuditFindingKind.Modified, 15L), Assert.Single(report.Findings) is var f ? (f.Kind, f.Position) : default);
        Assert.Equal((10, 19), (report.FirstSequence, report.LastSequence));
    }

    [Fact]
    public async Task A_ranged_verification_counts_only_the_events_that_verify()
    {
        await using var store = await TrailAsync();

        // Someone holding the root key re-seals event 12 linked to nothing: it opens, but the chain is broken there,
        // and event 13 no longer links to it.
        await using (var transaction = await store.Records.BeginAsync(write: true, default))
        {
            var forged = AuditChainEntry.Create(12, new byte[AuditChainEntry.HashLength], TrailStore.Event("Forged", Start.AddMinutes(12)).ToJson());
            await transaction.PutAsync(AuditRecords.Event(12), 1, forged.Bytes, default);
            await transaction.CommitAsync(default);
        }

        var report = await VerifyAsync(store, Start.AddMinutes(10), Start.AddMinutes(20));
        Assert.Equal([(AuditFindingKind.Modified, 12L), (AuditFindingKind.Modified, 13L)], report.Findings.Select(f => (f.Kind, f.Position)));
        Assert.Equal((8, 10, 19), (report.EventsVerified, report.FirstSequence, report.LastSequence));
    }
}
