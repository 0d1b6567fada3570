using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own (initdb in a temporary directory, its own port), which the test may stop and
/// start again: the shared test cluster cannot be stopped under the other tests. Run as <c>nobody</c> when the tests
/// run as root (PostgreSQL refuses root). Binaries from <c>KEYHAVEN_TEST_POSTGRES_BIN</c> (./test.sh sets it), else
/// Debian's <c>/usr/lib/postgresql/*/bin</c>.
/// </summary>
public sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly int _port;

    private PrivatePostgresCluster(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=keyhaven;Database=postgres";

    public static async Task<PrivatePostgresCluster> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("KEYHAVEN_TEST_POSTGRES_BIN") is { Length: > 0 } given
            ? given
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
                : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL binaries: set KEYHAVEN_TEST_POSTGRES_BIN or install Debian's postgresql (./test.sh does).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "keyhaven-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", directory, "nobody", directory);
        }

        var cluster = new PrivatePostgresCluster(bin, directory, FreePort());
        await cluster.PostgresAsync("initdb", "-D", cluster.Data, "-U", "keyhaven", "--auth=trust", "-E", "UTF8", "--no-sync");
        await cluster.StartAgainAsync();
        return cluster;
    }

    /// <summary>Stops the server (fast shutdown: sessions are terminated, as in a restart or a crash of the database).</summary>
    public Task StopAsync() => PostgresAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    /// <summary>Starts the server (again) on the same port and data.</summary>
    public Task StartAgainAsync() => PostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_directory, "log"), "-w", "-o",
        $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PostgresAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string Data => Path.Combine(_directory, "data");

    private Task PostgresAsync(string tool, params string[] arguments) => Environment.IsPrivilegedProcess
        ? RunAsync("runuser", _directory, ["-u", "nobody", "--", Path.Combine(_bin, tool), .. arguments])
        : RunAsync(Path.Combine(_bin, tool), _directory, arguments);

    private static async Task RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
