using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Keyhaven.SigV4;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// <c>run</c> mode. Per round: start <c>keyhaven serve</c> on a fresh temporary data directory, create one key, drive
/// each operation in turn, stop it; then start the baseline process and drive the same Encrypt request at it; print
/// Encrypt server/baseline. Phases never overlap, both servers are separate child processes on 127.0.0.1, and the
/// client sends byte-identical signed requests to both (the baseline ignores the signature).
/// </summary>
internal static class LoadRun
{
    private const int PlaintextLength = 256;
    private const string ServerReadyLine = "Keyhaven is serving";

    public static async Task<int> RunAsync(LoadGeneratorOptions options)
    {
        string? serverCli = options.ServerCli ?? DefaultServerCli();
        if (serverCli is null || !File.Exists(serverCli))
        {
            await Console.Error.WriteLineAsync(
                $"The keyhaven executable `{serverCli ?? "src/Keyhaven.Cli/bin/Release/net10.0/keyhaven"}` does not exist. " +
                "Build it with `dotnet build -c Release src/Keyhaven.Cli` or pass --server-cli PATH.");
            return 2;
        }

        serverCli = Path.GetFullPath(serverCli);
        PrintHeader(options, serverCli);
        if (options.ClusterPostgres is { } postgres)
        {
            return await ClusterRun.RunAsync(options, serverCli, postgres);
        }

        var ratios = new List<double>();
        var cpuRatios = new List<double>();
        for (int round = 1; round <= options.Rounds; round++)
        {
            if (options.Rounds > 1)
            {
                Console.WriteLine($"== Round {round} of {options.Rounds}");
            }

            var serverResults = await RunServerPhasesAsync(options, serverCli);
            foreach (var result in serverResults)
            {
                if (result.Errors > 0)
                {
                    Console.WriteLine($"   first error: {result.FirstError}");
                }
            }

            var baseline = await RunBaselinePhaseAsync(options, verifySigV4: false);
            if (baseline.Errors > 0)
            {
                Console.WriteLine($"   first error: {baseline.FirstError}");
            }

            if (options.BaselineWithSigV4)
            {
                var withSigV4 = await RunBaselinePhaseAsync(options, verifySigV4: true);
                if (withSigV4.Errors > 0)
                {
                    Console.WriteLine($"   first error: {withSigV4.FirstError}");
                }

                Console.WriteLine($"   round {round} baseline+SigV4/baseline: {Format(withSigV4.RequestsPerSecond / baseline.RequestsPerSecond)} (diagnostic)");
            }

            if (serverResults.FirstOrDefault(r => r.Name == "Encrypt") is { } encrypt && baseline.RequestsPerSecond > 0)
            {
                double ratio = encrypt.RequestsPerSecond / baseline.RequestsPerSecond;
                ratios.Add(ratio);
                // Client and server share the cores, so when CPU-bound, throughput is proportional to 1 / (client + server
                // CPU per request): this ratio predicts the throughput ratio and is far less sensitive to other load.
                double cpuRatio = (baseline.ClientCpuMicrosecondsPerRequest + baseline.ServerCpuMicrosecondsPerRequest)
                    / (encrypt.ClientCpuMicrosecondsPerRequest + encrypt.ServerCpuMicrosecondsPerRequest);
                cpuRatios.Add(cpuRatio);
                if (options.Rounds > 1)
                {
                    Console.WriteLine($"   round {round} Encrypt server/baseline: {Format(ratio)} (by client+server CPU per request: {Format(cpuRatio)})");
                }
            }
        }

        if (ratios.Count == 0)
        {
            Console.WriteLine("Encrypt server/baseline ratio: n/a (Encrypt was not measured)");
            return 0;
        }

        // The throughput ratio is the headline; the CPU ratio estimates it from CPU cost and is steadier on a shared machine.
        Console.WriteLine($"Encrypt server/baseline by client+server CPU per request: {Format(Median(cpuRatios))}{RoundDetail(cpuRatios)}");
        Console.WriteLine($"Encrypt server/baseline ratio: {Format(Median(ratios))}{RoundDetail(ratios)}");
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static string RoundDetail(List<double> values) =>
        values.Count > 1 ? $" (median of {values.Count} rounds: {string.Join(", ", values.Select(Format))})" : "";

    internal static async Task<List<PhaseResult>> RunServerPhasesAsync(LoadGeneratorOptions options, string serverCli)
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "keyhaven-loadgen-" + Guid.NewGuid().ToString("N"));
        var results = new List<PhaseResult>();
        try
        {
            await using var server = await ChildServer.StartAsync(serverCli, ["serve", "--data", dataDirectory, "--listen", "127.0.0.1:{port}"], ServerReadyLine);
            var (credentials, region) = ReadCredentials(Path.Combine(dataDirectory, "credentials"));
            Console.WriteLine($"keyhaven serve (pid {server.ProcessId}) at {server.Endpoint}, region {region}");
            if (options.FullAuthorization)
            {
                credentials = await FullAuthorizationSetup.RunAsync(server.Endpoint, credentials, region);
            }

            using var sender = new KmsRequestSender(server.Endpoint, credentials, region, options.Concurrency);

            string keyId = (await SetupCallAsync(sender, "CreateKey", "{}"u8.ToArray(), server))
                .RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            byte[] encryptBody = EncryptBody(keyId);
            string ciphertext = (await SetupCallAsync(sender, "Encrypt", encryptBody, server))
                .RootElement.GetProperty("CiphertextBlob").GetString()!;
            var bodies = new Dictionary<string, byte[]>
            {
                ["Encrypt"] = encryptBody,
                ["Decrypt"] = Json(w => w.WriteString("CiphertextBlob", ciphertext)),
                ["GenerateDataKey"] = Json(w => { w.WriteString("KeyId", keyId); w.WriteString("KeySpec", "AES_256"); }),
            };

            // A fresh server JITs (and tiers up) its whole pipeline under the first load it sees; without this pass the
            // first measured operation pays for it (measured: Decrypt 168 us of server CPU per request when first,
            // 78 us when third). So warm every operation before measuring any; each phase still has its own warm-up.
            if (options.WarmupSeconds > 0)
            {
                foreach (string operation in options.Operations)
                {
                    await LoadPhase.RunAsync(operation, sender, operation, bodies[operation], options.Concurrency,
                        TimeSpan.Zero, TimeSpan.FromSeconds(options.WarmupSeconds), server);
                }
            }

            PrintTableHeader();
            foreach (string operation in options.Operations)
            {
                var result = await LoadPhase.RunAsync(operation, sender, operation, bodies[operation], options.Concurrency,
                    TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), server);
                PrintRow(result);
                results.Add(result);
            }
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }

        return results;
    }

    private static async Task<PhaseResult> RunBaselinePhaseAsync(LoadGeneratorOptions options, bool verifySigV4)
    {
        string self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            self = typeof(BaselineServer).Assembly.Location; // run as `dotnet Keyhaven.LoadGenerator.dll`
        }

        // A throwaway credential for this process pair only; it reaches the child through its environment, not argv.
        var credentials = new SigV4Credentials("AKIALOADGENBASELINE0", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30)));
        string[] arguments = verifySigV4
            ? ["baseline", "--listen", "127.0.0.1:{port}", "--verify-sigv4"]
            : ["baseline", "--listen", "127.0.0.1:{port}"];
        var environment = new Dictionary<string, string>
        {
            [BaselineServer.AccessKeyIdVariable] = credentials.AccessKeyId,
            [BaselineServer.SecretVariable] = credentials.SecretAccessKey,
        };
        await using var baseline = await ChildServer.StartAsync(self, arguments, BaselineServer.ReadyLine, environment);
        Console.WriteLine(verifySigV4
            ? $"baseline+SigV4 (pid {baseline.ProcessId}) at {baseline.Endpoint}: the baseline plus SigV4Verifier.VerifyAsync (diagnostic)"
            : $"baseline (pid {baseline.ProcessId}) at {baseline.Endpoint}: bare Kestrel route, JSON + base64 + one AES-GCM, no auth, no storage");

        // Same signer, same client settings, same bytes on the wire as the server's Encrypt phase
        // (the plain baseline ignores the signature).
        using var sender = new KmsRequestSender(baseline.Endpoint, credentials, "us-east-1", options.Concurrency);
        byte[] body = EncryptBody("00000000-0000-4000-8000-000000000000");
        var (status, error, _) = await sender.SendAsync("Encrypt", body, keepBody: false, CancellationToken.None);
        if (error is not null)
        {
            throw new InvalidOperationException($"The baseline answered HTTP {(int)status}: {error}");
        }

        PrintTableHeader();
        var result = await LoadPhase.RunAsync(verifySigV4 ? "Baseline+SigV4" : "Baseline Encrypt", sender, "Encrypt", body, options.Concurrency,
            TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), baseline);
        PrintRow(result);
        return result;
    }

    internal static async Task<JsonDocument> SetupCallAsync(KmsRequestSender sender, string operation, byte[] body, ChildServer server)
    {
        var (status, error, content) = await sender.SendAsync(operation, body, keepBody: true, CancellationToken.None);
        if (error is not null)
        {
            throw new InvalidOperationException($"Setup call {operation} failed with HTTP {(int)status}: {error}\nServer output:\n{server.LastOutput}");
        }

        return JsonDocument.Parse(content);
    }

    internal static byte[] EncryptBody(string keyId)
    {
        // A fixed 256-byte plaintext: the same bytes in every request and in both servers' phases.
        byte[] plaintext = new byte[PlaintextLength];
        for (int i = 0; i < plaintext.Length; i++)
        {
            plaintext[i] = (byte)(i * 7 + 3);
        }

        return Json(w => { w.WriteString("KeyId", keyId); w.WriteBase64String("Plaintext", plaintext); });
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Reads profile <c>[keyhaven]</c> of the AWS-style credentials file the server writes on first start.</summary>
    internal static (SigV4Credentials Credentials, string Region) ReadCredentials(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? section = null;
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1].Trim();
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "keyhaven" && equals > 0)
            {
                values[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        if (!values.TryGetValue("aws_access_key_id", out var accessKeyId) || !values.TryGetValue("aws_secret_access_key", out var secret))
        {
            throw new InvalidOperationException($"`{path}` has no [keyhaven] profile with aws_access_key_id and aws_secret_access_key.");
        }

        return (new SigV4Credentials(accessKeyId, secret), values.GetValueOrDefault("region", "us-east-1"));
    }

    internal static string? DefaultServerCli()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) && Directory.Exists(Path.Combine(directory.FullName, "src", "Keyhaven.Cli")))
            {
                string bin = Path.Combine(directory.FullName, "src", "Keyhaven.Cli", "bin", "Release", "net10.0");
                string exe = Path.Combine(bin, OperatingSystem.IsWindows() ? "keyhaven.exe" : "keyhaven");
                return File.Exists(exe) ? exe : Path.Combine(bin, "keyhaven.dll");
            }
        }

        return null;
    }

    internal static void PrintHeader(LoadGeneratorOptions options, string serverCli)
    {
        Console.WriteLine("Keyhaven load generator");
        Console.WriteLine($"  date (UTC):   {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}");
        Console.WriteLine($"  machine:      {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"  load average: {LoadAverage()} (other work on this machine skews the numbers)");
        Console.WriteLine($"  server:       {serverCli} (built {File.GetLastWriteTimeUtc(serverCli):yyyy-MM-dd HH:mm} UTC)");
        Console.WriteLine($"  settings:     concurrency {options.Concurrency}, warm-up {options.WarmupSeconds} s, duration {options.DurationSeconds} s per phase, " +
                          $"{PlaintextLength}-byte plaintext, HTTP/1.1, every request SigV4-signed");
        Console.WriteLine();
    }

    internal static void PrintTableHeader() =>
        Console.WriteLine($"   {"phase",-18} {"requests",10} {"requests/s",11} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"srv us/req",11} {"cli us/req",11}   load avg");

    internal static void PrintRow(PhaseResult r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {r.Name,-18} {r.Requests,10} {r.RequestsPerSecond,11:F0} {r.P50Milliseconds,8:F2} {r.P99Milliseconds,8:F2} {r.Errors,7} {r.ServerCpuMicrosecondsPerRequest,11:F0} {r.ClientCpuMicrosecondsPerRequest,11:F0}   {LoadAverage()}"));

    internal static string Format(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    internal static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
