using Amazon.KeyManagementService;
using Amazon.Runtime;
using Keyhaven.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// A real Keyhaven server on a free loopback port over its own temporary data directory, and AWS SDK clients that
/// talk to it with the bootstrap credentials, exactly as a user's application would.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private TestServer(KeyhavenServer server, KeyhavenServerOptions options, TestClock clock, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        Server = server;
        Options = options;
        Clock = clock;
    }

    public KeyhavenServer Server { get; private set; }
    public KeyhavenServerOptions Options { get; }
    public TestClock Clock { get; }
    public string AccessKeyId { get; private set; } = "";
    public string SecretAccessKey { get; private set; } = "";
    public string Region => Options.Region;

    /// <summary>Starts a server; over a fresh temporary directory (deleted on dispose) unless one is given.</summary>
    public static async Task<TestServer> StartAsync(string? dataDirectory = null, Keyhaven.Server.Network.NetworkConfiguration? network = null)
    {
        var clock = new TestClock();
        var options = new KeyhavenServerOptions
        {
            DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "keyhaven-test-" + Guid.NewGuid().ToString("N")),
            Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            Time = clock,
            MaintenanceInterval = TimeSpan.FromHours(1),
            Network = network ?? new(),
        };
        var server = await KeyhavenServer.StartAsync(options, Quiet);
        var test = new TestServer(server, options, clock, ownsDirectory: dataDirectory is null);
        test.ReadCredentials();
        return test;
    }

    /// <summary>Stops the server and starts a new one on the same data directory (and port choice), keeping the clock.</summary>
    public async Task RestartAsync(Keyhaven.Server.Network.NetworkConfiguration? network = null)
    {
        await Server.DisposeAsync();
        Server = await KeyhavenServer.StartAsync(network is null ? Options : Options with { Network = network }, Quiet);
    }

    public AmazonKeyManagementServiceClient Client() => Client(AccessKeyId, SecretAccessKey);

    public AmazonKeyManagementServiceClient Client(string accessKeyId, string secretAccessKey, Uri? endpoint = null) =>
        new(new BasicAWSCredentials(accessKeyId, secretAccessKey), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = (endpoint ?? Server.Endpoint).ToString(),
            AuthenticationRegion = Region,
            MaxErrorRetry = 2,
        });

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(Options.DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private void ReadCredentials()
    {
        foreach (var line in File.ReadAllLines(Options.CredentialsPath))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts is ["aws_access_key_id", var id])
            {
                AccessKeyId = id;
            }
            else if (parts is ["aws_secret_access_key", var secret])
            {
                SecretAccessKey = secret;
            }
        }
    }

    private static void Quiet(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);
}
