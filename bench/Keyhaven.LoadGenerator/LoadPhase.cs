using System.Diagnostics;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// Drives one operation at a fixed concurrency: N async workers, each sending its next request as soon as the
/// previous one completes (closed loop), first for the warm-up (discarded), then for the measured duration.
/// A worker starts no request after the deadline; requests in flight at the deadline complete and count, and the
/// wall time runs until the last one does, so requests/s is completed requests over the time they took.
/// Latency is send-to-last-byte, around <see cref="HttpClient.SendAsync(HttpRequestMessage, CancellationToken)"/>
/// plus reading the body; it includes signing (~10 us), which every real client pays too.
/// </summary>
internal static class LoadPhase
{
    public static Task<PhaseResult> RunAsync(string name, KmsRequestSender sender, string operation, byte[] body, int concurrency, TimeSpan warmup, TimeSpan duration, ChildServer server) =>
        RunAsync(name, sender, operation, body, concurrency, warmup, duration, [server]);

    /// <summary>As above, against several servers (nodes) at once; server CPU is the sum over them.</summary>
    public static async Task<PhaseResult> RunAsync(string name, KmsRequestSender sender, string operation, byte[] body, int concurrency, TimeSpan warmup, TimeSpan duration,
        IReadOnlyList<ChildServer> servers)
    {
        if (warmup > TimeSpan.Zero)
        {
            await MeasureAsync(name, sender, operation, body, concurrency, warmup);
        }

        using var self = Process.GetCurrentProcess();
        TimeSpan serverBefore = ServerCpu(servers);
        TimeSpan clientBefore = self.TotalProcessorTime;
        var result = await MeasureAsync(name, sender, operation, body, concurrency, duration);
        self.Refresh();
        return result with { ServerCpu = ServerCpu(servers) - serverBefore, ClientCpu = self.TotalProcessorTime - clientBefore };
    }

    private static TimeSpan ServerCpu(IReadOnlyList<ChildServer> servers) => servers.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ProcessorTime);

    private static async Task<PhaseResult> MeasureAsync(string name, KmsRequestSender sender, string operation, byte[] body, int concurrency, TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        long deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<WorkerResult>[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(() => WorkerAsync(sender, operation, body, deadline));
        }

        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(start);
        long[] latencies = results.SelectMany(r => r.Latencies).ToArray();
        long errors = results.Sum(r => r.Errors);
        string? firstError = results.Select(r => r.FirstError).FirstOrDefault(e => e is not null);
        return PhaseResult.FromLatencies(name, latencies, errors, elapsed, firstError);
    }

    private static async Task<WorkerResult> WorkerAsync(KmsRequestSender sender, string operation, byte[] body, long deadline)
    {
        var latencies = new List<long>(16 * 1024);
        long errors = 0;
        string? firstError = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            long begin = Stopwatch.GetTimestamp();
            try
            {
                var (status, errorBody, _) = await sender.SendAsync(operation, body, keepBody: false, CancellationToken.None);
                if (errorBody is not null)
                {
                    errors++;
                    firstError ??= $"HTTP {(int)status} {status}: {errorBody}";
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                errors++;
                firstError ??= $"{exception.GetType().Name}: {exception.Message}";
            }

            latencies.Add(Stopwatch.GetTimestamp() - begin);
        }

        return new WorkerResult(latencies, errors, firstError);
    }

    private sealed record WorkerResult(List<long> Latencies, long Errors, string? FirstError);
}
