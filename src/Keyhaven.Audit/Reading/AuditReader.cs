using System.Runtime.CompilerServices;
using Keyhaven.Audit.Events;
using Keyhaven.Audit.Trail;
using Keyhaven.Storage.Records;

namespace Keyhaven.Audit.Reading;

/// <summary>
/// Reads the trail's events in sequence order, a page at a time. It trusts the store: use
/// the verifier to check it. Thread-safe.
/// </summary>
public sealed class AuditReader(RecordStore store)
{
    private const int PageSize = 500;

    /// <summary>
    /// How much older than its sequence neighbours an event may be: its time is taken when the request arrives, its
    /// sequence when it commits. Reading newest first stops this far before <see cref="AuditEventFilter.From"/>.
    /// </summary>
    private static readonly TimeSpan CommitDelayAllowance = TimeSpan.FromMinutes(15);

    /// <summary>Every event after <paramref name="afterSequence"/> that <paramref name="filter"/> matches, oldest first.</summary>
    /// <exception cref="Storage.Barrier.BarrierIntegrityException">A stored event was altered (run verification for where).</exception>
    public async IAsyncEnumerable<StoredAuditEvent> ReadAsync(AuditEventFilter? filter = null, long afterSequence = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = afterSequence > 0 ? AuditRecords.Id(afterSequence) : null;
        while (true)
        {
            IReadOnlyList<Record> page;
            await using (var transaction = await store.BeginAsync(write: false, cancellationToken))
            {
                page = await transaction.ListAsync(AuditRecords.EventTable, "", after, PageSize, cancellationToken);
            }

            foreach (var record in page)
            {
                if (AuditChainEntry.TryParse(record.Value, out var entry))
                {
                    var auditEvent = AuditEvent.FromJson(entry!.EventJson.Span);
                    if (filter is null || filter.Matches(auditEvent))
                    {
                        yield return new StoredAuditEvent(entry.Sequence, auditEvent, entry.EventJson);
                    }
                }
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Key.Id;
        }
    }

    /// <summary>
    /// The events <paramref name="filter"/> matches, newest first, from just before <paramref name="beforeSequence"/>
    /// (0: from the chain head). Reads a page at a time backwards, so asking for the newest few reads only the end
    /// of the trail, and stops once the events are older than the filter's start.
    /// </summary>
    /// <exception cref="Storage.Barrier.BarrierIntegrityException">A stored event was altered (run verification for where).</exception>
    public async IAsyncEnumerable<StoredAuditEvent> ReadNewestFirstAsync(AuditEventFilter? filter = null, long beforeSequence = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long end;
        await using (var transaction = await store.BeginAsync(write: false, cancellationToken))
        {
            var head = await transaction.GetAsync(AuditRecords.Head, cancellationToken) is { } stored ? AuditHead.FromBytes(stored.Value).Sequence : 0;
            end = beforeSequence > 0 ? Math.Min(beforeSequence - 1, head) : head;
        }

        var stopBefore = filter?.From - CommitDelayAllowance;
        while (end > 0)
        {
            var start = Math.Max(0, end - PageSize); // this page: sequences start+1 .. end
            IReadOnlyList<Record> page;
            await using (var transaction = await store.BeginAsync(write: false, cancellationToken))
            {
                page = await transaction.ListAsync(AuditRecords.EventTable, "", start > 0 ? AuditRecords.Id(start) : null, PageSize, cancellationToken);
            }

            var newestInPage = DateTimeOffset.MinValue;
            for (var i = page.Count - 1; i >= 0; i--)
            {
                if (AuditChainEntry.TryParse(page[i].Value, out var entry) && entry!.Sequence > start && entry.Sequence <= end)
                {
                    var auditEvent = AuditEvent.FromJson(entry.EventJson.Span);
                    if (auditEvent.EventTime > newestInPage)
                    {
                        newestInPage = auditEvent.EventTime;
                    }

                    if (filter is null || filter.Matches(auditEvent))
                    {
                        yield return new StoredAuditEvent(entry.Sequence, auditEvent, entry.EventJson);
                    }
                }
            }

            if (stopBefore is { } limit && newestInPage != DateTimeOffset.MinValue && newestInPage < limit)
            {
                yield break;
            }

            end = start;
        }
    }
}
