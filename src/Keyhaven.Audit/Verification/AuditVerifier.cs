using System.Security.Cryptography;
using Keyhaven.Audit.Digests;
using Keyhaven.Audit.Events;
using Keyhaven.Audit.Trail;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;

namespace Keyhaven.Audit.Verification;

/// <summary>
/// Checks the trail as an auditor would, trusting nothing in storage but what the barrier and the signing key
/// vouch for: every event must open (sealed with its own position bound in), sit at its own sequence number and
/// link to the hash of the one before; every digest must be signed by the audit key, follow the previous digest
/// and name the chain head that the events actually hash to; and no digest or chain head may name events beyond
/// the last one stored. Reports each modified, deleted, inserted, reordered or truncated event by position.
/// </summary>
/// <remarks>
/// A row that does not open at its own position is tried at the other positions near it (the barrier binds the
/// position, so an event moved elsewhere still opens as the position it was sealed for): one that opens as another
/// position is reported as reordered (or inserted, when that position still holds its own event).
/// </remarks>
public sealed class AuditVerifier(IStorageBackend backend, StorageBarrier barrier)
{
    private const int PageSize = 1000;
    private const int MoveSearchWindow = 64;

    /// <summary>Verifies the whole trail; findings are limited to events between <paramref name="from"/> and <paramref name="to"/> when given.</summary>
    public async Task<AuditVerificationReport> VerifyAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken cancellationToken = default)
    {
        var store = new RecordStore(backend, barrier);
        var findings = new List<(AuditFinding Finding, DateTimeOffset? Time)>();
        var rows = await ReadRowsAsync(cancellationToken);
        var opened = new Dictionary<long, (AuditChainEntry Entry, DateTimeOffset Time)>();
        var positions = rows.Select(r => AuditRecords.TryParseId(r.Key.Id, out var s) ? s : -1).ToList();

        // 1. Every row must open as the event of its own position.
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var position = positions[i];
            if (position <= 0)
            {
                findings.Add((new AuditFinding(AuditFindingKind.Inserted, 0, $"A row with id `{row.Key.Id}` is not a position of the trail."), null));
                continue;
            }

            if (TryOpen(row, position) is { } entry)
            {
                opened[position] = entry;
            }
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var position = positions[i];
            if (position <= 0 || opened.ContainsKey(position))
            {
                continue;
            }

            var origin = FindOrigin(rows[i], position, positions);
            findings.Add(origin is null
                ? (new AuditFinding(AuditFindingKind.Modified, position, "The stored event does not open: it was altered."), null)
                : opened.ContainsKey(origin.Value)
                    ? (new AuditFinding(AuditFindingKind.Inserted, position, $"The row is a copy of event {origin.Value}."), null)
                    : (new AuditFinding(AuditFindingKind.Reordered, position, $"The row holds event {origin.Value}, moved here from its own position."), null));
        }

        // 2. Positions must run 1..last without gaps, and each event must link to the one before.
        var present = positions.Where(p => p > 0).Distinct().Order().ToList();
        var last = present.Count == 0 ? 0 : present[^1];
        var verified = new HashSet<long>();
        var expected = 1L;
        foreach (var position in present)
        {
            if (position > expected)
            {
                findings.Add((new AuditFinding(AuditFindingKind.Deleted, expected,
                    position - expected == 1 ? $"Event {expected} is missing." : $"Events {expected} to {position - 1} are missing."), TimeOf(opened, position)));
            }

            expected = position + 1;
            if (!opened.TryGetValue(position, out var current))
            {
                continue;
            }

            var previous = position == 1 ? AuditChainEntry.GenesisHash.ToArray() : opened.TryGetValue(position - 1, out var before) ? before.Entry.Hash : null;
            if (current.Entry.Sequence != position || previous is not null && !CryptographicOperations.FixedTimeEquals(previous, current.Entry.PreviousHash))
            {
                findings.Add((new AuditFinding(AuditFindingKind.Modified, position, "The event does not link to the event before it: the chain was rewritten."), current.Time));
                continue;
            }

            verified.Add(position);
        }

        // 3. Digests: signed, in order, each following the previous, naming the head the events hash to.
        var (digestsVerified, coveredThrough) = await VerifyDigestsAsync(store, opened, findings, cancellationToken);
        var head = await ReadHeadAsync(store, cancellationToken);
        var claimed = Math.Max(coveredThrough, head?.Sequence ?? 0);
        if (head is null && last > 0)
        {
            findings.Add((new AuditFinding(AuditFindingKind.Truncated, last + 1, "The chain head record is missing or altered, so the end of the trail cannot be confirmed."), null));
        }
        else if (claimed > last)
        {
            findings.Add((new AuditFinding(AuditFindingKind.Truncated, last + 1,
                $"Events {last + 1} to {claimed} are missing from the end of the trail ({(coveredThrough >= claimed ? "a signed digest" : "the chain head")} names them)."), null));
        }

        var inRange = opened.Where(o => verified.Contains(o.Key) && (from is null || o.Value.Time >= from) && (to is null || o.Value.Time < to))
            .Select(o => o.Key).ToList();
        return new AuditVerificationReport
        {
            Findings = findings.Where(f => f.Finding.Kind == AuditFindingKind.DigestInvalid || InRange(f.Finding.Position, f.Time, from, to, opened))
                .Select(f => f.Finding).OrderBy(f => f.Kind == AuditFindingKind.DigestInvalid).ThenBy(f => f.Position).ToList(),
            EventsVerified = inRange.Count,
            DigestsVerified = digestsVerified,
            FirstSequence = inRange.Count == 0 ? 0 : inRange.Min(),
            LastSequence = inRange.Count == 0 ? 0 : inRange.Max(),
        };
    }

    private async Task<List<StorageEntry>> ReadRowsAsync(CancellationToken cancellationToken)
    {
        var rows = new List<StorageEntry>();
        string? after = null;
        while (true)
        {
            await using var transaction = await backend.BeginAsync(write: false, cancellationToken);
            var page = await transaction.ListAsync(AuditRecords.EventTable, "", after, PageSize, cancellationToken);
            rows.AddRange(page);
            if (page.Count < PageSize)
            {
                return rows;
            }

            after = page[^1].Key.Id;
        }
    }

    private (AuditChainEntry Entry, DateTimeOffset Time)? TryOpen(StorageEntry row, long asPosition)
    {
        try
        {
            var value = barrier.Unseal(row with { Key = AuditRecords.Event(asPosition) });
            if (!AuditChainEntry.TryParse(value, out var entry))
            {
                return null;
            }

            return (entry!, AuditEvent.FromJson(entry!.EventJson.Span).EventTime);
        }
        catch (Exception exception) when (exception is BarrierIntegrityException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The position a row that does not open at its own was sealed for, searched among nearby positions.</summary>
    private long? FindOrigin(StorageEntry row, long position, List<long> positions)
    {
        var candidates = Enumerable.Range(1, MoveSearchWindow).SelectMany(d => new[] { position - d, position + d })
            .Concat(positions.Where(p => p > 0 && Math.Abs(p - position) > MoveSearchWindow).Take(MoveSearchWindow))
            .Where(p => p > 0);
        foreach (var candidate in candidates)
        {
            if (TryOpen(row, candidate) is not null)
            {
                return candidate;
            }
        }

        return null;
    }

    private async Task<(long Verified, long CoveredThrough)> VerifyDigestsAsync(RecordStore store, Dictionary<long, (AuditChainEntry Entry, DateTimeOffset Time)> opened,
        List<(AuditFinding, DateTimeOffset?)> findings, CancellationToken cancellationToken)
    {
        using var key = await LoadSigningKeyAsync(store, findings, cancellationToken);
        var rows = new List<StorageEntry>();
        await using (var transaction = await backend.BeginAsync(write: false, cancellationToken))
        {
            string? after = null;
            while (true)
            {
                var page = await transaction.ListAsync(AuditRecords.DigestTable, "", after, PageSize, cancellationToken);
                rows.AddRange(page);
                if (page.Count < PageSize)
                {
                    break;
                }

                after = page[^1].Key.Id;
            }
        }

        long verified = 0, coveredThrough = 0, expectedNumber = 1;
        byte[]? previousHash = new byte[AuditChainEntry.HashLength];
        long previousLast = 0;
        foreach (var row in rows)
        {
            AuditDigest digest;
            try
            {
                digest = AuditDigest.FromJson(barrier.Unseal(row));
            }
            catch (Exception exception) when (exception is BarrierIntegrityException or System.Text.Json.JsonException)
            {
                findings.Add((new AuditFinding(AuditFindingKind.DigestInvalid, AuditRecords.TryParseId(row.Key.Id, out var n) ? n : 0, "The digest does not open: it was altered."), null));
                expectedNumber++;
                previousHash = null;
                continue;
            }

            if (digest.Number != expectedNumber)
            {
                findings.Add((new AuditFinding(AuditFindingKind.DigestInvalid, expectedNumber,
                    $"Digests {expectedNumber} to {digest.Number - 1} are missing."), null));
                previousHash = null;
            }

            expectedNumber = digest.Number + 1;
            if (key is null || !key.Verify(digest.SignedPayload(), Convert.FromBase64String(digest.Signature)))
            {
                findings.Add((new AuditFinding(AuditFindingKind.DigestInvalid, digest.Number, "The digest's signature does not verify with the audit signing key."), null));
                previousHash = null;
                continue;
            }

            coveredThrough = Math.Max(coveredThrough, digest.LastSequence);
            var problem = previousHash is not null && digest.PreviousDigestHash != Convert.ToHexStringLower(previousHash) ? "It does not name the digest before it."
                : previousHash is not null && digest.FirstSequence != previousLast + 1 ? $"It starts at event {digest.FirstSequence}, not where the digest before it ended."
                : digest.LastSequence > 0 && opened.TryGetValue(digest.LastSequence, out var headEvent) && Convert.ToHexStringLower(headEvent.Entry.Hash) != digest.HeadHash
                    ? $"The events up to {digest.LastSequence} no longer hash to the head it signed: the chain was rewritten."
                : null;
            if (problem is not null)
            {
                findings.Add((new AuditFinding(AuditFindingKind.DigestInvalid, digest.Number, problem), null));
            }
            else
            {
                verified++;
            }

            previousHash = digest.Hash();
            previousLast = digest.LastSequence;
        }

        return (verified, coveredThrough);
    }

    /// <summary>The signing key; null (with a finding) when its record was altered, so that no digest verifies.</summary>
    private static async Task<AuditSigningKey?> LoadSigningKeyAsync(RecordStore store, List<(AuditFinding, DateTimeOffset?)> findings, CancellationToken cancellationToken)
    {
        try
        {
            return await AuditSigningKey.LoadAsync(store, cancellationToken);
        }
        catch (Exception exception) when (exception is BarrierIntegrityException or CryptographicException)
        {
            findings.Add((new AuditFinding(AuditFindingKind.DigestInvalid, 0, "The audit signing key does not open: it was altered, so no digest can be verified."), null));
            return null;
        }
    }

    private static async Task<AuditHead?> ReadHeadAsync(RecordStore store, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        try
        {
            var record = await transaction.GetAsync(AuditRecords.Head, cancellationToken);
            return record is null ? null : AuditHead.FromBytes(record.Value);
        }
        catch (Exception exception) when (exception is BarrierIntegrityException or InvalidDataException)
        {
            return null; // an altered head names nothing; digests still catch truncation up to the last one
        }
    }

    private static DateTimeOffset? TimeOf(Dictionary<long, (AuditChainEntry Entry, DateTimeOffset Time)> opened, long position) =>
        opened.TryGetValue(position, out var entry) ? entry.Time : null;

    /// <summary>A finding is in the range when its event's time is, or (for an event that cannot be read) when an event next to it is.</summary>
    private static bool InRange(long position, DateTimeOffset? time, DateTimeOffset? from, DateTimeOffset? to,
        Dictionary<long, (AuditChainEntry Entry, DateTimeOffset Time)> opened)
    {
        if (from is null && to is null)
        {
            return true;
        }

        bool Within(DateTimeOffset t) => (from is null || t >= from) && (to is null || t < to);
        if (time is { } known)
        {
            return Within(known);
        }

        var before = opened.Keys.Where(p => p < position).DefaultIfEmpty(0).Max();
        var after = opened.Keys.Where(p => p > position).DefaultIfEmpty(long.MaxValue).Min();
        return (before > 0 && Within(opened[before].Time)) || (after != long.MaxValue && Within(opened[after].Time))
            || (before > 0 && after != long.MaxValue && (from is null || opened[after].Time >= from) && (to is null || opened[before].Time < to));
    }
}
