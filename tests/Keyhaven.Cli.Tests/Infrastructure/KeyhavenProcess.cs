using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>The real <c>keyhaven</c> program run as a separate process, as a user runs it.</summary>
public sealed class KeyhavenProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KeyhavenProcess(Process process, string dataDirectory, int port)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public string CredentialsPath => Path.Combine(DataDirectory, "credentials");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of the built CLI next to the test assembly.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "keyhaven.dll");

    public static async Task<KeyhavenProcess> StartAsync(string dataDirectory, params string[] extraArguments)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { CliPath, "serve", "--data", dataDirectory, "--listen", $"127.0.0.1:{port}" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new KeyhavenProcess(process, dataDirectory, port);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.Exited += (_, _) => running._serving.TrySetException(new InvalidOperationException("keyhaven exited before serving:\n" + running.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running._serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return running;
    }

    /// <summary>Sends a signal (<c>HUP</c>, <c>TERM</c>, …) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits until the output holds <paramref name="text"/> <paramref name="count"/> times; returns the output.</summary>
    public async Task<string> WaitForOutputAsync(string text, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var output = Output;
            if (System.Text.RegularExpressions.Regex.Count(output, System.Text.RegularExpressions.Regex.Escape(text)) >= count)
            {
                return output;
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"keyhaven did not print `{text}` ({count} times):\n{output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to end; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL (no shutdown of any kind) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("is serving the KMS API", StringComparison.Ordinal))
        {
            _serving.TrySetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
