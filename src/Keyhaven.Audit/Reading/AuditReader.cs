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
}
