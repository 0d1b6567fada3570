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
/// sides, and prints the throughput and the process's peak resident memory (VmHWM).
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
            await using var encrypting = await client.CreateEncryptingStreamAsync(pipeOut, keyring, new EncryptOptions { FrameLength = frameLength });
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
            await using var decrypting = client.CreateDecryptingStream(pipeIn, keyring, new DecryptOptions { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification });
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
