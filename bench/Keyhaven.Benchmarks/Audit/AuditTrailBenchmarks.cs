using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Keyhaven.Audit.Events;
using Keyhaven.Audit.Trail;
using Keyhaven.Benchmarks.Storage;
using Microsoft.Win32.SafeHandles;

namespace Keyhaven.Benchmarks.Audit;

/// <summary>
/// Appending an Encrypt request's audit event (about 900 bytes of JSON) to the trail on a SQLite file, as the server
/// does before it answers: one appender alone (a commit per event), and 16 at once (group-committed). The baseline of
/// each group is the platform's durable write alone: the same number of event-sized records written to a preallocated
/// file in one call, then flushed to disk. Time is per event.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AuditTrailBenchmarks
{
    private const int Group = 16;
    private const long FileLength = 64L << 20;
    private BenchmarkStore _store = null!;
    private AuditTrail _trail = null!;
    private AuditEvent _event = null!;
    private SafeFileHandle _file = null!;
    private byte[] _records = null!;
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create();
        _trail = AuditTrail.OpenAsync(_store.Records, TimeProvider.System, CancellationToken.None).GetAwaiter().GetResult();
        _event = EncryptEvent();

        // The baseline's file is written with zeros and flushed first, so that its writes change no file metadata.
        var eventLength = _event.ToJson().Length;
        _records = RandomNumberGenerator.GetBytes(eventLength * Group);
        _file = File.OpenHandle(Path.Combine(_store.Directory, "durable.dat"), FileMode.CreateNew, FileAccess.ReadWrite);
        var zeros = new byte[1 << 20];
        for (long position = 0; position < FileLength; position += zeros.Length)
        {
            RandomAccess.Write(_file, zeros, position);
        }

        RandomAccess.FlushToDisk(_file);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _trail.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("1 event")]
    public void DurableWriteOne() => DurableWrite(_records.AsSpan(0, _records.Length / Group));

    [Benchmark, BenchmarkCategory("1 event")]
    public Task AppendOne() => _trail.AppendAsync(_event);

    [Benchmark(Baseline = true, OperationsPerInvoke = Group), BenchmarkCategory("16 events at once")]
    public void DurableWriteSixteen() => DurableWrite(_records);

    [Benchmark(OperationsPerInvoke = Group), BenchmarkCategory("16 events at once")]
    public Task AppendSixteenAtOnce()
    {
        var appends = new Task[Group];
        for (var i = 0; i < appends.Length; i++)
        {
            appends[i] = _trail.AppendAsync(_event);
        }

        return Task.WhenAll(appends);
    }

    private void DurableWrite(ReadOnlySpan<byte> records)
    {
        if (_offset + records.Length > FileLength)
        {
            _offset = 0;
        }

        RandomAccess.Write(_file, records, _offset);
        _offset += records.Length;
        RandomAccess.FlushToDisk(_file);
    }

    /// <summary>An event the size and shape of the server's for a successful Encrypt by an IAM user.</summary>
    private static AuditEvent EncryptEvent()
    {
        const string account = "111122223333";
        const string key = "arn:aws:kms:us-east-1:111122223333:key/0b7e1c7a-2f7e-4d39-9d1c-5b0f3f1d2a10";
        using var request = JsonDocument.Parse($$"""{"keyId":"{{key}}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}""");
        return new AuditEvent
        {
            UserIdentity = new AuditUserIdentity
            {
                Type = "IAMUser", PrincipalId = "AIDAEXAMPLEPRINCIPAL01", Arn = $"arn:aws:iam::{account}:user/app", AccountId = account,
                AccessKeyId = "AKIAEXAMPLEKEY000001", UserName = "app",
            },
            EventTime = DateTimeOffset.UtcNow,
            EventSource = "kms.amazonaws.com",
            EventName = "Encrypt",
            AwsRegion = "us-east-1",
            SourceIPAddress = "127.0.0.1",
            UserAgent = "aws-sdk-dotnet-coreclr/4.0.0 ua/2.1 os/linux md/kms#4.0.0 api/KMS#4.0.0",
            RequestParameters = request.RootElement.Clone(),
            RequestID = Guid.NewGuid().ToString("D"),
            EventID = Guid.NewGuid().ToString("D"),
            ReadOnly = true,
            Resources = [new AuditResource(key, account, "AWS::KMS::Key")],
            RecipientAccountId = account,
        };
    }
}
