using System.Threading.Channels;
using Keyhaven.Audit.Digests;
using Keyhaven.Audit.Events;
using Keyhaven.Storage.Records;

namespace Keyhaven.Audit.Trail;

/// <summary>
/// The append-only, hash-chained audit trail. <see cref="AppendAsync"/> completes only once the event is committed
/// to storage, so a caller that waits for it before answering never acknowledges an unrecorded request. Writes are
/// group-committed: one writer takes every event queued while the previous commit ran and commits them in one
/// storage transaction (one fsync), in the order they were queued, each linked to the hash of the one before.
/// Digests (<see cref="WriteDigestAsync"/>) go through the same writer, so they always sign a committed head.
/// Thread-safe.
/// </summary>
public sealed class AuditTrail : IAsyncDisposable
{
    /// <summary>The most writes committed in one transaction.</summary>
    public const int MaxBatch = 512;

    private readonly RecordStore _store;
    private readonly AuditSigningKey _signingKey;
    private readonly TimeProvider _time;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private AuditHead _head;
    private long _headVersion;
    private readonly Lock _closing = new();
    private int _disposed;
    private volatile bool _failing;

    private AuditTrail(RecordStore store, AuditSigningKey signingKey, TimeProvider time, AuditHead head, long headVersion)
    {
        _store = store;
        _signingKey = signingKey;
        _time = time;
        _head = head;
        _headVersion = headVersion;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The last committed event's sequence number (0 when the trail is empty).</summary>
    public long LastSequence => Volatile.Read(ref _head).Sequence;

    /// <summary>Opens the trail over <paramref name="store"/>, continuing the chain where it stands; creates the signing key on first use.</summary>
    public static async Task<AuditTrail> OpenAsync(RecordStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        // The trail is read from storage only (its head inside each writing transaction): other nodes' appends need not empty any cache.
        foreach (var table in new[] { AuditRecords.EventTable, AuditRecords.DigestTable, AuditRecords.Head.Table })
        {
            store.Changes.DeclareUncached(table);
        }

        var signingKey = await AuditSigningKey.LoadOrCreateAsync(store, cancellationToken);
        try
        {
            var (head, version) = await ReadHeadAsync(store, cancellationToken);
            return new AuditTrail(store, signingKey, time, head, version);
        }
        catch
        {
            signingKey.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="auditEvent"/>; completes when it is committed.</summary>
    /// <exception cref="AuditWriteException">The event could not be committed (the caller must fail its request).</exception>
    public Task AppendAsync(AuditEvent auditEvent) => EnqueueAsync(new PendingWrite(WriteKind.Event, auditEvent.ToJson()));

    /// <summary>Signs and stores a digest of the chain as it stands after every event queued before this call.</summary>
    /// <exception cref="AuditWriteException">The digest could not be committed.</exception>
    public Task WriteDigestAsync() => EnqueueAsync(new PendingWrite(WriteKind.Digest, null));

    /// <summary>
    /// Completes at once while the trail is writing; after a failed commit, first proves that storage takes writes
    /// again (a commit of the chain head). Called before a request runs, so that a request is not carried out while
    /// its event is sure to be lost.
    /// </summary>
    /// <exception cref="AuditWriteException">Storage still refuses writes.</exception>
    public Task EnsureWritableAsync() => _failing ? EnqueueAsync(new PendingWrite(WriteKind.Probe, null)) : Task.CompletedTask;

    /// <summary>Writes a final digest, then stops the writer. Events appended afterwards fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The final digest and the close are one step for appenders: none slips in after the digest, to be committed
        // uncovered by it.
        var final = new PendingWrite(WriteKind.Digest, null);
        lock (_closing)
        {
            _queue.Writer.TryWrite(final);
            _queue.Writer.TryComplete();
        }
        try
        {
            await final.Done.Task;
        }
        catch (AuditWriteException)
        {
            // The store is failing; nothing more can be written. Verification will report the missing digest.
        }

        await _writer;
        _signingKey.Dispose();
    }

    private Task EnqueueAsync(PendingWrite write)
    {
        lock (_closing)
        {
            return _queue.Writer.TryWrite(write) ? write.Done.Task : Task.FromException(new AuditWriteException("The audit trail is closed."));
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var head = _head;
        var headVersion = _headVersion;
        try
        {
            await using (var transaction = await _store.BeginAsync(write: true, CancellationToken.None))
            {
                // The head is read inside the write transaction: writers are serialized (SQLite's lock, PostgreSQL's
                // cluster-wide advisory lock), so several nodes append to one chain in turn.
                if (await transaction.GetAsync(AuditRecords.Head, CancellationToken.None) is { } stored)
                {
                    (head, headVersion) = (AuditHead.FromBytes(stored.Value), stored.Version);
                }

                foreach (var write in batch)
                {
                    head = write.Kind switch
                    {
                        WriteKind.Event => await PutEventAsync(transaction, head, write.EventJson!),
                        WriteKind.Digest => await PutDigestAsync(transaction, head),
                        _ => head, // a probe only needs the commit of the head below
                    };
                }

                await transaction.PutAsync(AuditRecords.Head, headVersion, head.ToBytes(), CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }

            _headVersion = headVersion + 1;
            Volatile.Write(ref _head, head);
            _failing = false;
            foreach (var write in batch)
            {
                write.Done.TrySetResult();
            }
        }
        catch (Exception exception)
        {
            _failing = true;
            var failure = new AuditWriteException("The audit trail could not commit " + batch.Count + " writes: " + exception.Message, exception);
            foreach (var write in batch)
            {
                write.Done.TrySetException(failure);
            }

            await ReloadHeadAsync();
        }
    }

    private static async Task<AuditHead> PutEventAsync(RecordTransaction transaction, AuditHead head, byte[] json)
    {
        var entry = AuditChainEntry.Create(head.Sequence + 1, head.Hash, json);
        await transaction.PutAsync(AuditRecords.Event(entry.Sequence), 0, entry.Bytes, CancellationToken.None);
        return head with { Sequence = entry.Sequence, Hash = entry.Hash };
    }

    private async Task<AuditHead> PutDigestAsync(RecordTransaction transaction, AuditHead head)
    {
        var digest = new AuditDigest
        {
            Number = head.DigestNumber + 1,
            DigestTime = _time.GetUtcNow(),
            FirstSequence = head.DigestedThrough + 1,
            LastSequence = head.Sequence,
            HeadHash = Convert.ToHexStringLower(head.Hash),
            PreviousDigestHash = Convert.ToHexStringLower(head.DigestHash),
        };
        digest = digest with { Signature = Convert.ToBase64String(_signingKey.Sign(digest.SignedPayload())) };
        await transaction.PutAsync(AuditRecords.Digest(digest.Number), 0, digest.ToJson(), CancellationToken.None);
        return head with { DigestNumber = digest.Number, DigestHash = digest.Hash(), DigestedThrough = head.Sequence };
    }

    /// <summary>After a failed commit, the head is read back: the commit may or may not have reached storage.</summary>
    private async Task ReloadHeadAsync()
    {
        try
        {
            var (head, version) = await ReadHeadAsync(_store, CancellationToken.None);
            _headVersion = version;
            Volatile.Write(ref _head, head);
        }
        catch (Exception)
        {
            // Still failing: keep the in-memory head. The next commit retries against storage and fails closed if it conflicts.
        }
    }

    private static async Task<(AuditHead Head, long Version)> ReadHeadAsync(RecordStore store, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var record = await transaction.GetAsync(AuditRecords.Head, cancellationToken);
        return record is null ? (AuditHead.Empty, 0) : (AuditHead.FromBytes(record.Value), record.Version);
    }

    private enum WriteKind
    {
        Event,
        Digest,
        Probe,
    }

    private sealed class PendingWrite(WriteKind kind, byte[]? eventJson)
    {
        public WriteKind Kind { get; } = kind;

        /// <summary>The event to append (<see cref="WriteKind.Event"/> only).</summary>
        public byte[]? EventJson { get; } = eventJson;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
