using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;
using Keyhaven.Storage.Tests.Support;
using Keyhaven.SigV4;

namespace Keyhaven.Cli.Tests.Audit;

/// <summary>
/// A crash never loses an acknowledged request's event: servers are killed with SIGKILL again and again while clients
/// keep sending requests, and afterwards every request id a client got an answer for is in the trail, and the trail
/// verifies. On SQLite one node; on PostgreSQL two nodes share the database and die one after the other, so the
/// survivor goes on writing the one chain while its peer's connection is torn down mid-transaction.
/// </summary>
public sealed class AuditCrashTests : IAsyncLifetime
{
    private const int Rounds = 5;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-crash-" + Guid.NewGuid().ToString("N"));
    private PostgresTestDatabase? _database;

    [Fact]
    public async Task Killing_the_server_in_a_loop_loses_no_acknowledged_event()
    {
        await KillInALoopAndCheckTheTrailAsync(nodes: 1, storageArguments: []);
    }

    [Fact]
    public async Task Killing_nodes_sharing_PostgreSQL_in_a_loop_loses_no_acknowledged_event()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        await KillInALoopAndCheckTheTrailAsync(nodes: 2, storageArguments: ["--storage", _database.ConnectionString]);
    }

    private async Task KillInALoopAndCheckTheTrailAsync(int nodes, string[] storageArguments)
    {
        var acknowledged = new List<string>();
        var lastOutput = "";
        for (var round = 0; round < Rounds; round++)
        {
            var servers = new List<KeyhavenProcess>();
            try
            {
                for (var node = 0; node < nodes; node++)
                {
                    servers.Add(await KeyhavenProcess.StartAsync(_data, storageArguments));
                }

                var (accessKeyId, secret) = ReadCredentials(Path.Combine(_data, "credentials"));
                foreach (var server in servers)
                {
                    using var warmUp = new CancellationTokenSource();
                    warmUp.Cancel(); // one request, so each node is warm before the clock starts
                    acknowledged.AddRange(await SendUntilStoppedAsync(server, accessKeyId, secret, warmUp.Token, once: true));
                }

                using var stop = new CancellationTokenSource();
                var clients = Enumerable.Range(0, 4)
                    .Select(i => Task.Run(() => SendUntilStoppedAsync(servers[i % nodes], accessKeyId, secret, stop.Token)))
                    .ToList();
                await Task.Delay(TimeSpan.FromMilliseconds(500 + 300 * round));
                lastOutput = string.Join("\n", servers.Select(s => s.Output));
                // The nodes die one after the other (a different one first each round), the others still serving.
                for (var i = 0; i < nodes; i++)
                {
                    await servers[(round + i) % nodes].KillAsync();
                    await Task.Delay(TimeSpan.FromMilliseconds(300));
                }

                stop.Cancel();
                foreach (var client in clients)
                {
                    acknowledged.AddRange(await client);
                }
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }

        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} requests were answered: " + lastOutput);
        var export = await KeyhavenCommand.RunAsync(["audit", "export", "--data", _data, "--format", "jsonl", .. storageArguments]);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var recorded = export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("requestID").GetString()).ToHashSet();
        var lost = acknowledged.Where(id => !recorded.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged requests have no event, e.g. {lost.FirstOrDefault()}");

        var verify = await KeyhavenCommand.RunAsync(["audit", "verify", "--data", _data, .. storageArguments]);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
    }

    /// <summary>Sends CreateKey and ListKeys requests until the server dies or the test stops; returns the ids of the answered ones.</summary>
    private static async Task<List<string>> SendUntilStoppedAsync(KeyhavenProcess server, string accessKeyId, string secret, CancellationToken stop, bool once = false)
    {
        var answered = new List<string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var signer = new SigV4Signer(new SigV4Credentials(accessKeyId, secret), "us-east-1", "kms", TimeProvider.System);
        for (var i = 0; once ? i == 0 : !stop.IsCancellationRequested; i++)
        {
            var target = i % 2 == 0 ? "TrentService.CreateKey" : "TrentService.ListKeys";
            var body = Encoding.UTF8.GetBytes(i % 2 == 0 ? """{"Description":"crash test"}""" : "{}");
            var uri = new Uri(server.Endpoint + "/");
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
            var signed = signer.Sign(SigV4SigningRequest.Create("POST", uri,
                [new("Content-Type", "application/x-amz-json-1.1"), new("X-Amz-Target", target)], body));
            foreach (var header in signed.HeadersToAdd)
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }

            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var content = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    answered.Add(response.Headers.GetValues("x-amzn-RequestId").Single());
                }
                else
                {
                    Assert.Fail($"{target} answered {(int)response.StatusCode}: {content}");
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                return answered; // the server is gone
            }
        }

        return answered;
    }

    private static (string AccessKeyId, string Secret) ReadCredentials(string path)
    {
        string id = "", secret = "";
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts is ["aws_access_key_id", var a])
            {
                id = a;
            }
            else if (parts is ["aws_secret_access_key", var s])
            {
                secret = s;
            }
        }

        return (id, secret);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
