using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Keyhaven.Server.Hosting;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// A real Keyhaven server on a free loopback port over its own temporary data directory, and AWS SDK clients that
/// talk to it with the bootstrap credentials, exactly as a user's application would.
/// </summary>
/// <remarks>
/// The storage is chosen by <c>KEYHAVEN_TEST_STORAGE</c>: unset or <c>sqlite</c>, the data directory's SQLite file;
/// <c>postgres</c>, a fresh database per data directory on the cluster of <c>KEYHAVEN_TEST_POSTGRES</c>. ./test.sh
/// runs the server tests once each way.
/// </remarks>
public sealed class TestServer : IAsyncDisposable
{
    public const string StorageVariable = "KEYHAVEN_TEST_STORAGE";

    // A data directory keeps its database across restarts (and across servers started on it), as it keeps its root key.
    private static readonly ConcurrentDictionary<string, PostgresTestDatabase> Databases = new(StringComparer.Ordinal);
    private readonly bool _ownsDirectory;
    private bool _stopped;

    private TestServer(KeyhavenServer server, KeyhavenServerOptions options, TestClock clock, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        Server = server;
        Options = options;
        Clock = clock;
    }

    public KeyhavenServer Server { get; private set; }
    public KeyhavenServerOptions Options { get; private set; }
    public TestClock Clock { get; }
    public string AccessKeyId { get; private set; } = "";
    public string SecretAccessKey { get; private set; } = "";
    public string Region => Options.Region;

    /// <summary>True when the tests run on PostgreSQL (see the remarks).</summary>
    public static bool OnPostgres => Environment.GetEnvironmentVariable(StorageVariable) switch
    {
        null or "" or "sqlite" => false,
        "postgres" => true,
        var other => throw new InvalidOperationException($"{StorageVariable} is `{other}`; expected sqlite or postgres."),
    };

    /// <summary>The PostgreSQL database of this server's data directory (null on SQLite).</summary>
    public PostgresTestDatabase? Database => Databases.GetValueOrDefault(Options.DataDirectory);

    /// <summary>Starts a server; over a fresh temporary directory (deleted on dispose) unless one is given.</summary>
    /// <param name="postgres">True: on PostgreSQL whatever the matrix says (for tests of several nodes).</param>
    /// <param name="maintenanceInterval">How often background work runs (default: hourly, i.e. only when a test asks).</param>
    /// <param name="storage">Storage of the test's own (e.g. a <see cref="PrivatePostgresCluster"/>), instead of the matrix's.</param>
    /// <param name="startAt">The server's clock from the start: that moment, moving on in real time (the SDK corrects its signing clock to it).</param>
    public static async Task<TestServer> StartAsync(string? dataDirectory = null, bool postgres = false, TimeSpan? maintenanceInterval = null,
        StorageLocation? storage = null, Keyhaven.Server.Network.NetworkConfiguration? network = null, IReadOnlyList<string>? trustedDevelopmentAttestationRoots = null,
        IReadOnlyList<string>? regions = null, DateTimeOffset? startAt = null, System.Net.IPAddress? listenAddress = null)
    {
        var clock = new TestClock();
        if (startAt is { } moment)
        {
            clock.Advance(moment - clock.GetUtcNow());
        }

        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "keyhaven-test-" + Guid.NewGuid().ToString("N"));
        var options = new KeyhavenServerOptions
        {
            DataDirectory = directory,
            Listen = new System.Net.IPEndPoint(listenAddress ?? System.Net.IPAddress.Loopback, 0),
            Time = clock,
            MaintenanceInterval = maintenanceInterval ?? TimeSpan.FromHours(1),
            Storage = storage ?? await StorageForAsync(directory, postgres),
            Network = network ?? new(),
            TrustedDevelopmentAttestationRoots = trustedDevelopmentAttestationRoots ?? [],
            Regions = regions ?? ["us-east-1"],
        };
        var server = await KeyhavenServer.StartAsync(options, Quiet);
        var test = new TestServer(server, options, clock, ownsDirectory: dataDirectory is null);
        test.ReadCredentials();
        return test;
    }

    /// <summary>
    /// Starts another node of <paramref name="cluster"/>'s deployment: its own data directory and port, the same
    /// PostgreSQL database, root key file, clock and bootstrap credentials.
    /// </summary>
    public static async Task<TestServer> StartNodeAsync(TestServer cluster, TimeSpan? maintenanceInterval = null)
    {
        var options = cluster.Options with
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "keyhaven-test-" + Guid.NewGuid().ToString("N")),
            RootKeyPath = cluster.Options.ResolvedRootKeyPath,
            Storage = cluster.Options.Storage ?? throw new InvalidOperationException("Several nodes need PostgreSQL."),
            MaintenanceInterval = maintenanceInterval ?? cluster.Options.MaintenanceInterval,
        };
        var server = await KeyhavenServer.StartAsync(options, Quiet);
        return new TestServer(server, options, cluster.Clock, ownsDirectory: true)
        {
            AccessKeyId = cluster.AccessKeyId,
            SecretAccessKey = cluster.SecretAccessKey,
        };
    }

    /// <summary>The storage of a data directory: null (its SQLite file) or its PostgreSQL database, made on first use.</summary>
    public static async Task<StorageLocation?> StorageForAsync(string dataDirectory, bool postgres = false)
    {
        if (!OnPostgres && !postgres)
        {
            return null;
        }

        if (!Databases.TryGetValue(dataDirectory, out var database))
        {
            database = await PostgresTestDatabase.CreateAsync();
            Databases[dataDirectory] = database;
        }

        return StorageLocation.Parse(database.ConnectionString);
    }

    /// <summary>Drops the PostgreSQL database of a data directory the test gave (and so cleans up itself); nothing on SQLite.</summary>
    public static async Task DeleteStorageAsync(string dataDirectory)
    {
        if (Databases.TryRemove(dataDirectory, out var database))
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>
    /// Every byte the server's storage holds, by where it lies: the SQLite files (WAL included), or each row of the
    /// PostgreSQL records table (table, id, version and value).
    /// </summary>
    public async Task<IReadOnlyList<(string Where, byte[] Bytes)>> ReadStoredBytesAsync()
    {
        if (Database is not { } database)
        {
            return [.. Directory.GetFiles(Options.DataDirectory, "keyhaven.db*").Select(f => (Path.GetFileName(f), ReadShared(f)))];
        }

        var rows = new List<(string, byte[])>();
        await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT tbl, id, version, value FROM keyhaven_records", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = $"{reader.GetString(0)}/{reader.GetString(1)}@{reader.GetInt64(2)}";
            rows.Add((row, [.. System.Text.Encoding.UTF8.GetBytes(row), .. reader.GetFieldValue<byte[]>(3)]));
        }

        return rows;
    }

    /// <summary>
    /// Stops the server and starts a new one on the same data directory (and port choice), keeping the clock; with
    /// <paramref name="network"/> and <paramref name="change"/> applied to its options.
    /// </summary>
    public async Task RestartAsync(Keyhaven.Server.Network.NetworkConfiguration? network = null, Func<KeyhavenServerOptions, KeyhavenServerOptions>? change = null)
    {
        await StopAsync();
        if (network is not null)
        {
            Options = Options with { Network = network };
        }

        if (change is not null)
        {
            Options = change(Options);
        }

        _stopped = false;
        Server = await KeyhavenServer.StartAsync(Options, Quiet);
    }

    public AmazonKeyManagementServiceClient Client(int maxErrorRetry = 2) => Client(AccessKeyId, SecretAccessKey, maxErrorRetry);

    /// <summary>A client with the bootstrap credentials whose requests are signed for <paramref name="region"/> (one of the server's regions).</summary>
    public AmazonKeyManagementServiceClient ClientIn(string region, string? accessKeyId = null, string? secretAccessKey = null) =>
        Client(accessKeyId ?? AccessKeyId, secretAccessKey ?? SecretAccessKey, region: region);

    public AmazonKeyManagementServiceClient Client(string accessKeyId, string secretAccessKey, int maxErrorRetry = 2, Uri? endpoint = null, string? region = null) =>
        new(new BasicAWSCredentials(accessKeyId, secretAccessKey), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = (endpoint ?? Server.Endpoint).ToString(),
            AuthenticationRegion = region ?? Region,
            MaxErrorRetry = maxErrorRetry,
        });

    /// <summary>Stops the server (as a node that dies), keeping its data directory and database until dispose.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_ownsDirectory)
        {
            return;
        }

        if (Databases.TryRemove(Options.DataDirectory, out var database))
        {
            await database.DisposeAsync();
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

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Quiet(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);
}
