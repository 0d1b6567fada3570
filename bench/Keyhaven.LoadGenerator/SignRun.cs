using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// <c>sign</c> mode: RSA-2048 Sign through the real server against the raw platform primitive on the same cores.
/// Starts <c>keyhaven serve</c> on a fresh data directory, creates an RSA_2048 SIGN_VERIFY key and drives Sign
/// (RSASSA_PSS_SHA_256, a 256-byte RAW message) at the given concurrency; then, in this process with the server
/// stopped, signs the same message with <see cref="RSA.SignData(byte[], HashAlgorithmName, RSASignaturePadding)"/>
/// on one thread per core for the same time. Prints Sign server/raw.
/// </summary>
internal static class SignRun
{
    private const string SigningAlgorithm = "RSASSA_PSS_SHA_256";

    public static async Task<int> RunAsync(LoadGeneratorOptions options)
    {
        string? serverCli = options.ServerCli ?? LoadRun.DefaultServerCli();
        if (serverCli is null || !File.Exists(serverCli))
        {
            await Console.Error.WriteLineAsync("The keyhaven executable does not exist. Build it with `dotnet build -c Release src/Keyhaven.Cli` or pass --server-cli PATH.");
            return 2;
        }

        byte[] message = new byte[256];
        for (int i = 0; i < message.Length; i++)
        {
            message[i] = (byte)(i * 7 + 3);
        }

        Console.WriteLine("Keyhaven load generator: RSA-2048 Sign, server vs raw primitive");
        Console.WriteLine($"  date (UTC):   {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}");
        Console.WriteLine($"  machine:      {LoadRun.CpuModel()}, {Environment.ProcessorCount} logical cores");
        Console.WriteLine($"  load average: {LoadRun.LoadAverage()}");
        Console.WriteLine($"  settings:     concurrency {options.Concurrency}, warm-up {options.WarmupSeconds} s, duration {options.DurationSeconds} s, {SigningAlgorithm}, 256-byte RAW message");
        Console.WriteLine();

        var ratios = new List<double>();
        var cpuRatios = new List<double>();
        for (int round = 1; round <= options.Rounds; round++)
        {
            var server = await MeasureServerAsync(options, Path.GetFullPath(serverCli), message);
            var (raw, rawCpuMicroseconds) = MeasureRaw(message, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds));
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"   raw RSA.SignData on {Environment.ProcessorCount} threads: {raw:F0} signatures/s, {rawCpuMicroseconds:F0} us CPU per signature   load avg {LoadRun.LoadAverage()}"));
            ratios.Add(server.RequestsPerSecond / raw);
            // On a shared machine the CPU cost per operation is steadier than throughput: when CPU-bound on the same
            // cores, throughput is proportional to 1 / (CPU per operation), client and server together.
            cpuRatios.Add(rawCpuMicroseconds / (server.ServerCpuMicrosecondsPerRequest + server.ClientCpuMicrosecondsPerRequest));
            Console.WriteLine($"   round {round} Sign server/raw: {LoadRun.Format(ratios[^1])} (by CPU per operation: {LoadRun.Format(cpuRatios[^1])})");
        }

        Console.WriteLine($"Sign server/raw by CPU per operation: {Median(cpuRatios)}");
        Console.WriteLine($"Sign server/raw ratio: {Median(ratios)}");
        return 0;
    }

    private static string Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return LoadRun.Format(sorted[sorted.Count / 2]) + (values.Count > 1 ? $" (median of {values.Count}: {string.Join(", ", values.Select(LoadRun.Format))})" : "");
    }

    private static async Task<PhaseResult> MeasureServerAsync(LoadGeneratorOptions options, string serverCli, byte[] message)
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "keyhaven-loadgen-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ChildServer.StartAsync(serverCli, ["serve", "--data", dataDirectory, "--listen", "127.0.0.1:{port}"], "Keyhaven is serving");
            var (credentials, region) = LoadRun.ReadCredentials(Path.Combine(dataDirectory, "credentials"));
            using var sender = new KmsRequestSender(server.Endpoint, credentials, region, options.Concurrency);
            string keyId = (await LoadRun.SetupCallAsync(sender, "CreateKey", """{"KeySpec":"RSA_2048","KeyUsage":"SIGN_VERIFY"}"""u8.ToArray(), server))
                .RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("KeyId", keyId);
                writer.WriteBase64String("Message", message);
                writer.WriteString("SigningAlgorithm", SigningAlgorithm);
                writer.WriteEndObject();
            }

            LoadRun.PrintTableHeader();
            var result = await LoadPhase.RunAsync("Sign RSA_2048", sender, "Sign", stream.ToArray(), options.Concurrency,
                TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), server);
            LoadRun.PrintRow(result);
            if (result.Errors > 0)
            {
                Console.WriteLine($"   first error: {result.FirstError}");
            }

            return result;
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>Signatures per second of the bare primitive (one thread per core, each with its own key object), and CPU per signature.</summary>
    private static (double PerSecond, double CpuMicroseconds) MeasureRaw(byte[] message, TimeSpan warmup, TimeSpan duration)
    {
        using var key = RSA.Create(2048);
        byte[] pkcs8 = key.ExportPkcs8PrivateKey();
        Run(warmup);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        long count = Run(duration);
        self.Refresh();
        return (count / duration.TotalSeconds, (self.TotalProcessorTime - cpuBefore).TotalMicroseconds / count);

        long Run(TimeSpan time)
        {
            long total = 0;
            long deadline = Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency);
            var threads = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
            {
                using var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                long count = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
                    count++;
                }

                Interlocked.Add(ref total, count);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            return total;
        }
    }
}
