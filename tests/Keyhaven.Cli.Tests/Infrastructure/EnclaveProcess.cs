using System.Diagnostics;
using System.Text;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>A development enclave (<c>keyhaven enclave run</c>) as a separate process, as a developer runs it.</summary>
public sealed class EnclaveProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EnclaveProcess(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

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

    /// <summary>Starts <c>keyhaven enclave run</c> and waits until it listens on <paramref name="socketPath"/>.</summary>
    public static async Task<EnclaveProcess> StartAsync(string rootDirectory, string applicationDirectory, string socketPath, string name)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { KeyhavenProcess.CliPath, "enclave", "run", "--root", rootDirectory, "--app", applicationDirectory, "--socket", socketPath, "--name", name })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new EnclaveProcess(process, socketPath);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.Exited += (_, _) => running._listening.TrySetException(new InvalidOperationException("the enclave exited before listening:\n" + running.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return running;
    }

    /// <summary>Sends SIGTERM and waits for the enclave to end; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
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

        if (line.Contains(" is listening on ", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }
}
