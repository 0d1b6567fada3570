using System.Diagnostics;

namespace Keyhaven.LoadGenerator;

/// <summary>What one measured phase produced: counts, wall time and latency percentiles of completed requests.</summary>
internal sealed record PhaseResult(string Name, long Requests, long Errors, TimeSpan Elapsed, double P50Milliseconds, double P99Milliseconds, string? FirstError)
{
    /// <summary>CPU time the server process used during the measured phase.</summary>
    public TimeSpan ServerCpu { get; init; }

    /// <summary>CPU time the load generator (client) process used during the measured phase.</summary>
    public TimeSpan ClientCpu { get; init; }

    /// <summary>
    /// Server CPU microseconds per completed request: what one request costs the server, much less sensitive to
    /// other load on the machine than requests/s.
    /// </summary>
    public double ServerCpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : ServerCpu.TotalMicroseconds / Requests;

    /// <summary>Client CPU microseconds per completed request (signing, HttpClient).</summary>
    public double ClientCpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : ClientCpu.TotalMicroseconds / Requests;

    /// <summary>Successful requests per second of wall time (errors do not count as throughput).</summary>
    public double RequestsPerSecond => (Requests - Errors) / Elapsed.TotalSeconds;

    /// <summary>Builds a result from raw Stopwatch-tick latencies (one per completed request, sorted here).</summary>
    public static PhaseResult FromLatencies(string name, long[] latencyTicks, long errors, TimeSpan elapsed, string? firstError)
    {
        Array.Sort(latencyTicks);
        return new PhaseResult(name, latencyTicks.Length, errors, elapsed,
            Percentile(latencyTicks, 50), Percentile(latencyTicks, 99), firstError);
    }

    /// <summary>Nearest-rank percentile of sorted ticks, in milliseconds; NaN when there are none.</summary>
    private static double Percentile(long[] sortedTicks, double percent)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(percent / 100 * sortedTicks.Length);
        return sortedTicks[Math.Clamp(rank - 1, 0, sortedTicks.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }
}
