using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// A server started as a child process on 127.0.0.1. Its output is drained continuously (a full pipe would stall
/// it) and the last lines are kept for error reports. <see cref="DisposeAsync"/> sends SIGTERM, waits up to 10 s,
/// then kills it.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;

    private ChildServer(Process process, string readyLine, Uri endpoint)
    {
        _process = process;
        _readyLine = readyLine;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    /// <summary>CPU time (user + system) the server process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> (a <c>.dll</c> runs under <c>dotnet exec</c>) with <paramref name="arguments"/>,
    /// where <c>{port}</c> is replaced by a free loopback port, and waits until it prints a line containing
    /// <paramref name="readyLine"/>. <paramref name="environment"/> entries are added to the child's environment.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process exited or did not become ready within 60 s.</exception>
    public static async Task<ChildServer> StartAsync(string fileName, IReadOnlyList<string> arguments, string readyLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        int port = FreeLoopbackPort();
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (fileName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            info.FileName = "dotnet";
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(fileName);
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ChildServer(process, readyLine, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server._ready.TrySetException(new InvalidOperationException(
            $"`{info.FileName}` exited with code {process.ExitCode} before it was ready. Last output:\n{server.LastOutput}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server._ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"`{info.FileName}` did not print `{readyLine}` within {StartTimeout.TotalSeconds} s. Last output:\n{server.LastOutput}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public string LastOutput
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets the host stop cleanly (Kestrel drains, SQLite closes). `kill` avoids a P/Invoke.
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false }))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            // The keyhaven server prints bootstrap credentials on first start; keep them out of our reports.
            _lastLines.Enqueue(line.Contains("secret", StringComparison.OrdinalIgnoreCase) ? "(line with a secret omitted)" : line);
            while (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
