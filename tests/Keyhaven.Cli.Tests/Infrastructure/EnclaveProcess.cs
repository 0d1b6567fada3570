namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>A development enclave (<c>keyhaven enclave run</c>) as a separate process, as a developer runs it.</summary>
public sealed class EnclaveProcess : IAsyncDisposable
{
    private readonly BackgroundKeyhaven _running;

    private EnclaveProcess(BackgroundKeyhaven running, string socketPath)
    {
        _running = running;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }
    public string Output => _running.Output;

    /// <summary>Starts <c>keyhaven enclave run</c> and waits until it listens on <paramref name="socketPath"/>.</summary>
    public static async Task<EnclaveProcess> StartAsync(string rootDirectory, string applicationDirectory, string socketPath, string name)
    {
        var running = await BackgroundKeyhaven.StartAsync(
            ["enclave", "run", "--root", rootDirectory, "--app", applicationDirectory, "--socket", socketPath, "--name", name], " is listening on ");
        return new EnclaveProcess(running, socketPath);
    }

    /// <inheritdoc cref="BackgroundKeyhaven.TerminateAsync"/>
    public Task<int> TerminateAsync() => _running.TerminateAsync();

    public ValueTask DisposeAsync() => _running.DisposeAsync();
}
