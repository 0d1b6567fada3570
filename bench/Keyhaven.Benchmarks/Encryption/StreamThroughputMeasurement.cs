using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Keyhaven.Encryption;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Benchmarks.Encryption;

/// <summary>
/// <c>Keyhaven.Benchmarks esdk-stream-throughput [--sizes 1K,1M,100M,1G] [--suites 0478,0578] [--frames 4096,65536]
/// [--js DIR|none] [--dir TEMP]</c>: streaming encrypt and decrypt throughput of every size, suite and frame length,
/// each case in a fresh process of its own (so its peak resident memory is its own), next to two references measured
/// in the same run on the same generated data: the raw platform primitive (AES-256-GCM over the same bytes in
/// frame-sized chunks, the baseline of issue #8) and the AWS Encryption SDK for JavaScript's streams
/// (<c>esdk-stream-bench.js</c> under Node, with the packages of DIR, by default
/// tests/Keyhaven.Encryption.Tests/Interop/js, installed with <c>npm ci</c>). BenchmarkDotNet cannot run a Node process
/// as a benchmark nor hold 1 GiB byte arrays per iteration, hence this measurement. Messages up to 100 MiB stay in
/// memory; larger ones go to a file in TEMP (on both sides). Small messages are repeated (1 KiB: 1000 times, 1 MiB: 50
/// times) and reported per byte. MB = 10^6 bytes, as the official SDK's benchmark counts; throughput "both" is
/// size / (encrypt time + decrypt time), its formula.
/// </summary>
internal static class StreamThroughputMeasurement
{
    private const int ChunkLength = 1 << 16;
    private const long InMemoryLimit = 100L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--case", var caseSize, var caseSuite, var caseFrame, var caseDir])
        {
            return await RunCaseAsync(long.Parse(caseSize, CultureInfo.InvariantCulture), (AlgorithmSuiteId)ushort.Parse(caseSuite, NumberStyles.HexNumber, CultureInfo.InvariantCulture), int.Parse(caseFrame, CultureInfo.InvariantCulture), caseDir);
        }

        var sizes = Option(args, "--sizes", "1K,1M,100M,1G").Split(',').Select(ParseSize).ToList();
        var suites = Option(args, "--suites", "0478,0578").Split(',').ToList();
        var frames = Option(args, "--frames", "4096,65536").Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToList();
        var dir = Option(args, "--dir", Path.GetTempPath());
        var jsFolder = Option(args, "--js", FindInteropJs() ?? "none");
        var js = jsFolder != "none" && Directory.Exists(Path.Combine(jsFolder, "node_modules", "@aws-crypto", "client-node")) ? jsFolder : null;
        Console.WriteLine($"# esdk-stream-throughput, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
            $"JavaScript SDK: {(js is null ? "not measured (no --js folder with node_modules)" : js)}");
        Console.WriteLine("| Size | Suite | Frame | Keyhaven encrypt ms/msg | encrypt MB/s | decrypt MB/s | both MB/s | raw AesGcm MB/s | encrypt / raw | peak RSS MiB | JS encrypt ms/msg | JS encrypt MB/s | JS decrypt MB/s | JS both MB/s | JS peak RSS MiB | Keyhaven both / JS both |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failures = 0;
        foreach (var size in sizes)
        {
            foreach (var suite in suites)
            {
                foreach (var frame in frames)
                {
                    var ours = await RunChildAsync(SelfCommand(), ["esdk-stream-throughput", "--case", size.ToString(CultureInfo.InvariantCulture), suite, frame.ToString(CultureInfo.InvariantCulture), dir]);
                    JsonElement? theirs = null;
                    if (js is not null)
                    {
                        theirs = await RunJsAsync(js, size, suite, frame, dir);
                    }

                    if (ours is null || (js is not null && theirs is null))
                    {
                        failures++;
                    }

                    Console.WriteLine(Row(size, suite, frame, ours, theirs));
                }
            }
        }

        return failures == 0 ? 0 : 1;
    }

    private static string Row(long size, string suite, int frame, JsonElement? ours, JsonElement? theirs)
    {
        static double Mb(JsonElement e, string seconds) => e.GetProperty("plaintextBytes").GetDouble() / e.GetProperty(seconds).GetDouble() / 1e6;
        static double Both(JsonElement e) => e.GetProperty("plaintextBytes").GetDouble() / (e.GetProperty("encryptSeconds").GetDouble() + e.GetProperty("decryptSeconds").GetDouble()) / 1e6;
        static string Mib(JsonElement e) => (e.GetProperty("peakRssBytes").GetDouble() / (1 << 20)).ToString("F1", CultureInfo.InvariantCulture);
        static string F(double value) => value.ToString(value < 10 ? "F2" : "F0", CultureInfo.InvariantCulture);
        static string Ms(JsonElement e) => (e.GetProperty("encryptSeconds").GetDouble() * 1000 / e.GetProperty("messages").GetDouble()).ToString("F3", CultureInfo.InvariantCulture);
        var cells = new List<string> { SizeText(size), "0x" + suite, frame.ToString(CultureInfo.InvariantCulture) };
        if (ours is { } o)
        {
            var raw = Mb(o, "rawSeconds");
            cells.AddRange([Ms(o), F(Mb(o, "encryptSeconds")), F(Mb(o, "decryptSeconds")), F(Both(o)), F(raw), (Mb(o, "encryptSeconds") / raw).ToString("F2", CultureInfo.InvariantCulture), Mib(o)]);
        }
        else
        {
            cells.AddRange(Enumerable.Repeat("failed", 7));
        }

        if (theirs is { } t)
        {
            cells.AddRange([Ms(t), F(Mb(t, "encryptSeconds")), F(Mb(t, "decryptSeconds")), F(Both(t)), Mib(t), ours is { } o2 ? (Both(o2) / Both(t)).ToString("F2", CultureInfo.InvariantCulture) : "-"]);
        }
        else
        {
            cells.AddRange(Enumerable.Repeat("-", 6));
        }

        return "| " + string.Join(" | ", cells) + " |";
    }

    /// <summary>
    /// One case, in this (fresh) process: prints one JSON line. Before the clock starts, the same suite and frame
    /// length run untimed on an in-memory message (up to 16 MiB, three times), so that the timed run measures
    /// steady-state code rather than the JIT's first tiers; an in-memory sink is allocated at its final size up front
    /// and written once untimed, as the timed run would otherwise measure the sink's growth and the kernel's first-touch
    /// page faults.
    /// </summary>
    private static async Task<int> RunCaseAsync(long size, AlgorithmSuiteId suite, int frame, string dir)
    {
        var iterations = Iterations(size);
        var client = new EncryptionClient();
        using var keyring = new RawAesKeyring("bench", "key", RandomNumberGenerator.GetBytes(32));
        var options = new EncryptOptions { Suite = suite, FrameLength = frame, EncryptionContext = new Dictionary<string, string> { ["purpose"] = "benchmark" } };
        var chunk = new byte[ChunkLength];
        Array.Fill(chunk, (byte)7);
        var buffer = new byte[ChunkLength];
        var file = size > InMemoryLimit ? Path.Combine(dir, $"esdk-bench-{Guid.NewGuid():N}.msg") : null;
        var memory = file is null ? new MemoryStream(checked((int)(size + (size / frame + 1) * 64 + 4096))) : null;

        async Task EncryptAsync(long length, Stream sink, bool leaveOpen)
        {
            await using var encrypting = await client.CreateEncryptingStreamAsync(sink, keyring, options, leaveOpen);
            for (long written = 0; written < length; written += chunk.Length)
            {
                await encrypting.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - written)));
            }

            await encrypting.CompleteAsync();
        }

        async Task<long> DecryptAsync(Stream source)
        {
            await using var decrypting = client.CreateDecryptingStream(source, keyring, new DecryptOptions { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification });
            long received = 0;
            int n;
            while ((n = await decrypting.ReadAsync(buffer)) > 0)
            {
                received += n;
            }

            return received;
        }

        var warmup = new MemoryStream();
        for (var round = 0; round < 3; round++)
        {
            warmup.SetLength(0);
            await EncryptAsync(Math.Min(size, 16L << 20), new CompletedIoStream(warmup), leaveOpen: true);
            await DecryptAsync(new MemoryStream(warmup.ToArray(), writable: false));
        }

        if (memory is not null)
        {
            // Touch the sink's pages once: a fresh array's memory is only mapped (and zeroed) by the kernel on first write.
            await EncryptAsync(size, new CompletedIoStream(memory), leaveOpen: true);
        }

        try
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                memory?.SetLength(0);
                await EncryptAsync(size, memory is not null ? new CompletedIoStream(memory) : new CompletedIoStream(new FileStream(file!, FileMode.Create, FileAccess.Write, FileShare.None, ChunkLength)), leaveOpen: memory is not null);
            }

            var encryptSeconds = watch.Elapsed.TotalSeconds;
            var message = memory?.ToArray();
            long received = 0;
            watch.Restart();
            for (var i = 0; i < iterations; i++)
            {
                received += await DecryptAsync(message is not null ? new MemoryStream(message, writable: false) : new CompletedIoStream(new FileStream(file!, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkLength)));
            }

            var decryptSeconds = watch.Elapsed.TotalSeconds;
            if (received != size * iterations)
            {
                await Console.Error.WriteLineAsync($"decrypted {received} bytes, expected {size * iterations}");
                return 1;
            }

            // The baseline: AES-256-GCM over the same bytes, one call per frame, as a frame-by-frame SDK must make.
            using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
            var nonce = new byte[12];
            var tag = new byte[16];
            var frameIn = new byte[Math.Min(frame, size)];
            Array.Fill(frameIn, (byte)7);
            var frameOut = new byte[frameIn.Length];
            watch.Restart();
            for (var i = 0; i < iterations; i++)
            {
                for (long done = 0; done < size; done += frameIn.Length)
                {
                    var length = (int)Math.Min(frameIn.Length, size - done);
                    nonce[0]++;
                    aes.Encrypt(nonce, frameIn.AsSpan(0, length), frameOut.AsSpan(0, length), tag);
                }
            }

            var rawSeconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["encryptSeconds"] = encryptSeconds,
                ["decryptSeconds"] = decryptSeconds,
                ["rawSeconds"] = rawSeconds,
                ["peakRssBytes"] = PeakResidentBytes(),
                ["plaintextBytes"] = size * iterations,
                ["messages"] = iterations,
            }));
            return 0;
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    private static async Task<JsonElement?> RunJsAsync(string jsFolder, long size, string suite, int frame, string dir)
    {
        var file = size > InMemoryLimit ? Path.Combine(dir, $"esdk-bench-js-{Guid.NewGuid():N}.msg") : "-";
        var script = Path.Combine(AppContext.BaseDirectory, "Encryption", "esdk-stream-bench.js");
        var start = new ProcessStartInfo("node") { WorkingDirectory = jsFolder };
        start.Environment["NODE_PATH"] = Path.Combine(Path.GetFullPath(jsFolder), "node_modules");
        try
        {
            return await RunChildAsync(start, [script, size.ToString(CultureInfo.InvariantCulture), ushort.Parse(suite, NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), frame.ToString(CultureInfo.InvariantCulture), Iterations(size).ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), file]);
        }
        finally
        {
            if (file != "-")
            {
                File.Delete(file);
            }
        }
    }

    private static async Task<JsonElement?> RunChildAsync(ProcessStartInfo start, IEnumerable<string> args)
    {
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}");
            return null;
        }

        var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static ProcessStartInfo SelfCommand()
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        return start;
    }

    private static int Iterations(long size) => size <= 1024 ? 1000 : size <= 1 << 20 ? 50 : 1;

    private static long ParseSize(string text)
    {
        var unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        return long.Parse(unit == 1 ? text : text[..^1], CultureInfo.InvariantCulture) * unit;
    }

    private static string SizeText(long size) => size switch
    {
        >= 1L << 30 when size % (1L << 30) == 0 => $"{size >> 30} GiB",
        >= 1L << 20 when size % (1L << 20) == 0 => $"{size >> 20} MiB",
        >= 1L << 10 when size % (1L << 10) == 0 => $"{size >> 10} KiB",
        _ => $"{size} B",
    };

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private static string? FindInteropJs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Keyhaven.Encryption.Tests", "Interop", "js");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
