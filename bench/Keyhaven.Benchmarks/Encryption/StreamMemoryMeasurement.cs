using System.Diagnostics;
using System.IO.Pipes;
using System.Security.Cryptography;
using Keyhaven.Encryption;
using Keyhaven.Encryption.Keyrings;

namespace Keyhaven.Benchmarks.Encryption;

/// <summary>
/// <c>dotnet run -c Release --project bench/Keyhaven.Benchmarks -- esdk-stream-memory [GIB] [FRAME]</c>: encrypts a
/// generated stream of GIB gibibytes (default 10) with an <see cref="EncryptingStream"/> (suite 0x0578) whose output
/// a <see cref="DecryptingStream"/> reads through an operating-system pipe at the same time, checks the plaintext's SHA-256 on both
/// sides, and prints the throughput and the process's peak resident memory (VmHWM). The SDK's async paths run over
/// pipe ends whose async calls complete synchronously (<see cref="CompletedIoStream"/>), so the figure is the SDK's
/// and the runtime's, not the per-call allocations of the platform's asynchronous pipe I/O.
/// </summary>
internal static class StreamMemoryMeasurement
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gib = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var frameLength = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4096;
        var total = gib * 1024 * 1024 * 1024;
        var client = new EncryptionClient();
        using var keyring = new RawAesKeyring("bench", "key", RandomNumberGenerator.GetBytes(32));
        using var pipeOut = new AnonymousPipeServerStream(PipeDirection.Out);
        using var pipeIn = new AnonymousPipeClientStream(PipeDirection.In, pipeOut.ClientSafePipeHandle);
        var chunk = RandomNumberGenerator.GetBytes(1 << 16);
        var watch = Stopwatch.StartNew();

        var producer = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var encrypting = await client.CreateEncryptingStreamAsync(new CompletedIoStream(pipeOut), keyring, new EncryptOptions { FrameLength = frameLength });
            for (long written = 0; written < total; written += chunk.Length)
            {
                chunk[0] = (byte)(written >> 16); // vary the data a little
                var length = (int)Math.Min(chunk.Length, total - written);
                hash.AppendData(chunk, 0, length);
                await encrypting.WriteAsync(chunk.AsMemory(0, length));
            }

            await encrypting.CompleteAsync();
            return hash.GetHashAndReset();
        });

        var consumer = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var decrypting = client.CreateDecryptingStream(new CompletedIoStream(pipeIn), keyring, new DecryptOptions { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification });
            var buffer = new byte[1 << 16];
            long read = 0;
            int n;
            while ((n = await decrypting.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                read += n;
            }

            return (hash.GetHashAndReset(), read);
        });

        var sent = await producer;
        var (received, length) = await consumer;
        watch.Stop();
        var same = sent.AsSpan().SequenceEqual(received) && length == total;
        var peak = PeakResidentBytes();
        Console.WriteLine($"streamed {gib} GiB (frame {frameLength}) through EncryptingStream -> DecryptingStream in {watch.Elapsed.TotalSeconds:F1} s " +
            $"({total / watch.Elapsed.TotalSeconds / 1e6:F0} MB/s each way), plaintext {(same ? "identical" : "DIFFERENT")}, peak RSS {peak / (1024.0 * 1024):F1} MiB, allocated {GC.GetTotalAllocatedBytes() / (1024.0 * 1024):F1} MiB, GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        return same ? 0 : 1;
    }

    private static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}

/// <summary>Serves ReadAsync and WriteAsync with the inner stream's synchronous calls (a device that never blocks long).</summary>
internal sealed class CompletedIoStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(inner.Read(buffer.Span));

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        inner.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        inner.Flush();
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
