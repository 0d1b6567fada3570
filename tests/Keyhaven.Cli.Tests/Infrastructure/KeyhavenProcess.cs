using System.Net;
using System.Net.Sockets;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>The real <c>keyhaven serve</c> run as a separate process, as a user runs it.</summary>
public sealed class KeyhavenProcess : IAsyncDisposable
{
    private readonly BackgroundKeyhaven _running;

    private KeyhavenProcess(BackgroundKeyhaven running, string dataDirectory, int port)
    {
        _running = running;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public string CredentialsPath => Path.Combine(DataDirectory, "credentials");
    public string Output => _running.Output;

    /// <summary>Path of the built CLI next to the test assembly.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "keyhaven.dll");

    public static Task<KeyhavenProcess> StartAsync(string dataDirectory, params string[] extraArguments) =>
        StartAsync(dataDirectory, nohup: false, extraArguments);

    /// <summary>Runs <c>nohup keyhaven serve …</c>: the server starts with SIGHUP ignored.</summary>
    public static Task<KeyhavenProcess> StartUnderNohupAsync(string dataDirectory, params string[] extraArguments) =>
        StartAsync(dataDirectory, nohup: true, extraArguments);

    /// <summary>The process id of the server.</summary>
    public int ProcessId => _running.ProcessId;

    private static async Task<KeyhavenProcess> StartAsync(string dataDirectory, bool nohup, string[] extraArguments)
    {
        var port = FreePort();
        var running = await BackgroundKeyhaven.StartAsync(
            new[] { "serve", "--data", dataDirectory, "--listen", $"127.0.0.1:{port}" }.Concat(extraArguments), "is serving the KMS API", nohup);
        return new KeyhavenProcess(running, dataDirectory, port);
    }

    /// <inheritdoc cref="BackgroundKeyhaven.SignalAsync"/>
    public Task SignalAsync(string signal) => _running.SignalAsync(signal);

    /// <inheritdoc cref="BackgroundKeyhaven.WaitForOutputAsync"/>
    public Task<string> WaitForOutputAsync(string text, int count = 1) => _running.WaitForOutputAsync(text, count);

    /// <inheritdoc cref="BackgroundKeyhaven.TerminateAsync"/>
    public Task<int> TerminateAsync() => _running.TerminateAsync();

    /// <inheritdoc cref="BackgroundKeyhaven.KillAsync"/>
    public Task KillAsync() => _running.KillAsync();

    public ValueTask DisposeAsync() => _running.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
