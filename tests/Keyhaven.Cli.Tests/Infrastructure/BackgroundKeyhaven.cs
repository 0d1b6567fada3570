using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>
/// The real <c>keyhaven</c> program running in the background (a server, an enclave): its output collected, started
/// once it prints a given line, stopped by a signal, SIGKILL, or at dispose.
/// </summary>
public sealed class BackgroundKeyhaven : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _readyText;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BackgroundKeyhaven(Process process, string readyText)
    {
        _process = process;
        _readyText = readyText;
    }

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

    /// <summary>The process id (to read its state from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Runs <c>keyhaven ARGUMENTS</c> and waits until a line of its output contains <paramref name="readyText"/>; with
    /// <paramref name="nohup"/>, as <c>nohup keyhaven ARGUMENTS</c> (SIGHUP ignored from the start, as users run it).
    /// </summary>
    public static async Task<BackgroundKeyhaven> StartAsync(IEnumerable<string> arguments, string readyText, bool nohup = false)
    {
        var start = new ProcessStartInfo(nohup ? "nohup" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (nohup)
        {
            start.ArgumentList.Add("dotnet"); // nohup execs it: the process id stays the server's
        }

        start.ArgumentList.Add(KeyhavenProcess.CliPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new BackgroundKeyhaven(process, readyText);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.Exited += (_, _) => running._ready.TrySetException(new InvalidOperationException($"keyhaven exited before printing `{readyText}`:\n" + running.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return running;
    }

    /// <summary>Sends a signal (<c>HUP</c>, <c>TERM</c>, …) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
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
            if (Regex.Count(output, Regex.Escape(text)) >= count)
            {
                return output;
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                // Say which: a process that ended (its exit code; 128 + N for signal N) or one still running after the wait.
                var why = _process.HasExited ? $"it exited with code {_process.ExitCode}" : "still running after 30 s";
                throw new Xunit.Sdk.XunitException($"keyhaven did not print `{text}` ({count} times; {why}):\n{output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to end; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
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

        if (line.Contains(_readyText, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
