using Npgsql;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// <c>--cluster-postgres</c> mode. Per round: Encrypt against one <c>keyhaven serve</c> on SQLite (as in the default
/// mode), then against two <c>keyhaven serve</c> nodes sharing one fresh PostgreSQL database (the same root key file),
/// with requests alternating between the nodes as a round-robin load balancer would send them; prints the two-node
/// throughput over the one-node throughput. All processes share this machine's cores with the client.
/// </summary>
internal static class ClusterRun
{
    private const string ServerReadyLine = "Keyhaven is serving";

    public static async Task<int> RunAsync(LoadGeneratorOptions options, string serverCli, string postgres)
    {
        var ratios = new List<double>();
        for (int round = 1; round <= options.Rounds; round++)
        {
            if (options.Rounds > 1)
            {
                Console.WriteLine($"== Round {round} of {options.Rounds}");
            }

            Console.WriteLine("one node, SQLite:");
            var single = (await LoadRun.RunServerPhasesAsync(options with { Operations = ["Encrypt"] }, serverCli)).Single();
            Console.WriteLine("two nodes, one PostgreSQL database, requests alternating between them:");
            var two = await RunTwoNodesAsync(options, serverCli, postgres);
            foreach (var result in new[] { single, two }.Where(r => r.Errors > 0))
            {
                Console.WriteLine($"   first error ({result.Name}): {result.FirstError}");
            }

            double ratio = two.RequestsPerSecond / single.RequestsPerSecond;
            ratios.Add(ratio);
            if (options.Rounds > 1)
            {
                Console.WriteLine($"   round {round} Encrypt two nodes (PostgreSQL) / one node (SQLite): {LoadRun.Format(ratio)}");
            }
        }

        Console.WriteLine($"Encrypt two nodes (PostgreSQL) / one node (SQLite) ratio: {LoadRun.Format(LoadRun.Median(ratios))}{LoadRun.RoundDetail(ratios)}");
        return 0;
    }

    private static async Task<PhaseResult> RunTwoNodesAsync(LoadGeneratorOptions options, string serverCli, string postgres)
    {
        string database = "keyhaven_loadgen_" + Guid.NewGuid().ToString("N");
        string first = Path.Combine(Path.GetTempPath(), "keyhaven-loadgen-" + Guid.NewGuid().ToString("N"));
        string second = Path.Combine(Path.GetTempPath(), "keyhaven-loadgen-" + Guid.NewGuid().ToString("N"));
        await ExecuteAsync(postgres, $"CREATE DATABASE {database}");
        try
        {
            // The storage location reaches the nodes through KEYHAVEN_STORAGE, not argv (it may hold a password).
            var environment = new Dictionary<string, string>
            {
                ["KEYHAVEN_STORAGE"] = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString,
            };
            await using var node1 = await ChildServer.StartAsync(serverCli, ["serve", "--data", first, "--listen", "127.0.0.1:{port}"], ServerReadyLine, environment);
            await using var node2 = await ChildServer.StartAsync(serverCli,
                ["serve", "--data", second, "--root-key", Path.Combine(first, "root.key"), "--listen", "127.0.0.1:{port}"], ServerReadyLine, environment);
            var (credentials, region) = LoadRun.ReadCredentials(Path.Combine(first, "credentials"));
            Console.WriteLine($"keyhaven serve nodes (pids {node1.ProcessId}, {node2.ProcessId}) at {node1.Endpoint} and {node2.Endpoint}, region {region}");
            using var sender = new KmsRequestSender([node1.Endpoint, node2.Endpoint], credentials, region, options.Concurrency);
            string keyId = (await LoadRun.SetupCallAsync(sender, "CreateKey", "{}"u8.ToArray(), node1))
                .RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            byte[] body = LoadRun.EncryptBody(keyId);
            ChildServer[] nodes = [node1, node2];
            if (options.WarmupSeconds > 0)
            {
                await LoadPhase.RunAsync("Encrypt x2 nodes", sender, "Encrypt", body, options.Concurrency, TimeSpan.Zero, TimeSpan.FromSeconds(options.WarmupSeconds), nodes);
            }

            LoadRun.PrintTableHeader();
            var result = await LoadPhase.RunAsync("Encrypt x2 nodes", sender, "Encrypt", body, options.Concurrency,
                TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), nodes);
            LoadRun.PrintRow(result);
            return result;
        }
        finally
        {
            foreach (var directory in new[] { first, second }.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }

            await ExecuteAsync(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
