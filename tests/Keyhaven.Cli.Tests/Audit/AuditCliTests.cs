using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Cli.Tests.Audit;

/// <summary>
/// The audit trail through the tools an auditor uses: the AWS CLI's <c>cloudtrail lookup-events</c> against a running
/// <c>keyhaven serve</c>, and <c>keyhaven audit verify|query|export</c> on its data directory, before and after an
/// attacker edits, deletes and reorders rows of the SQLite file directly.
/// </summary>
public sealed class AuditCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-audit-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_aws_cli_looks_up_events()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        var keyId = (await Ok(AwsCli.RunAsync(server, "kms", "create-key", "--description", "looked up"))).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        await Ok(AwsCli.RunAsync(server, "kms", "describe-key", "--key-id", keyId));

        var found = await Ok(AwsCli.RunAsync(server, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=DescribeKey", "--max-results", "5"));
        var e = Assert.Single(found.GetProperty("Events").EnumerateArray());
        Assert.Equal(("DescribeKey", "kms.amazonaws.com", "root"), (e.GetProperty("EventName").GetString(), e.GetProperty("EventSource").GetString(), e.GetProperty("Username").GetString()));
        Assert.EndsWith(keyId, e.GetProperty("Resources")[0].GetProperty("ResourceName").GetString());
        using var record = JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!);
        Assert.StartsWith("aws-cli/", record.RootElement.GetProperty("userAgent").GetString());

        // The CLI follows NextToken on its own: every event comes back, newest first.
        var all = (await Ok(AwsCli.RunAsync(server, "cloudtrail", "lookup-events", "--page-size", "1"))).GetProperty("Events").EnumerateArray()
            .Select(x => x.GetProperty("EventName").GetString()).ToList();
        Assert.Equal(["LookupEvents", "DescribeKey", "CreateKey"], all);
    }

    [Fact]
    public async Task An_auditor_verifies_the_trail_across_restarts_and_finds_each_edit_an_attacker_makes_in_the_database()
    {
        for (var run = 0; run < 3; run++)
        {
            await using var server = await KeyhavenProcess.StartAsync(_data);
            var keyId = (await Ok(AwsCli.RunAsync(server, "kms", "create-key"))).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            for (var i = 0; i < 3; i++)
            {
                await Ok(AwsCli.RunAsync(server, "kms", "encrypt", "--key-id", keyId, "--plaintext", "aGVsbG8=", "--encryption-context", "run=" + run));
            }

            Assert.Equal(0, await server.TerminateAsync());
        }

        var intact = await KeyhavenCommand.RunAsync("audit", "verify", "--data", _data);
        Assert.True(intact.ExitCode == 0, intact.Stdout + intact.Stderr);
        Assert.Contains("Intact: 12 events (1 to 12) and 3 signed digests verified.", intact.Stdout);

        var query = await KeyhavenCommand.RunAsync("audit", "query", "--data", _data, "--event-name", "Encrypt", "--json");
        var encrypts = query.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(9, encrypts.Count);
        Assert.All(encrypts, e => Assert.False(e.GetProperty("requestParameters").TryGetProperty("plaintext", out _)));
        var export = await KeyhavenCommand.RunAsync("audit", "export", "--data", _data, "--format", "records", "--error", "*");
        Assert.Empty(JsonDocument.Parse(export.Stdout).RootElement.GetProperty("Records").EnumerateArray());

        // The attacker edits event 2, deletes event 6, swaps 9 and 10 and cuts off the last one.
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_data, "keyhaven.db"), Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE records SET value = randomblob(length(value)) WHERE tbl = 'audit-events' AND id = '00000000000000000002';
                DELETE FROM records WHERE tbl = 'audit-events' AND id = '00000000000000000006';
                UPDATE records SET id = 'x' WHERE tbl = 'audit-events' AND id = '00000000000000000009';
                UPDATE records SET id = '00000000000000000009' WHERE tbl = 'audit-events' AND id = '00000000000000000010';
                UPDATE records SET id = '00000000000000000010' WHERE tbl = 'audit-events' AND id = 'x';
                DELETE FROM records WHERE tbl = 'audit-events' AND id = '00000000000000000012';
                """;
            await command.ExecuteNonQueryAsync();
        }

        var tampered = await KeyhavenCommand.RunAsync("audit", "verify", "--data", _data, "--json");
        Assert.True(tampered.ExitCode == 1, tampered.Stdout + tampered.Stderr);
        var findings = JsonDocument.Parse(tampered.Stdout).RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("kind").GetString(), f.GetProperty("position").GetInt64())).ToList();
        Assert.Equal([("Modified", 2L), ("Deleted", 6L), ("Reordered", 9L), ("Reordered", 10L), ("Truncated", 12L)], findings);

        // A reversed or non-ISO time range is a usage error, never an "Intact" report of nothing.
        var reversed = await KeyhavenCommand.RunAsync("audit", "verify", "--data", _data, "--from", "2030-01-01", "--to", "2020-01-01");
        Assert.True(reversed.ExitCode == 2 && reversed.Stderr.Contains("--to", StringComparison.Ordinal), reversed.Stdout + reversed.Stderr);
        var american = await KeyhavenCommand.RunAsync("audit", "query", "--data", _data, "--from", "12/01/2026");
        Assert.True(american.ExitCode == 2, american.Stdout + american.Stderr);

        // Altering the signing key itself is reported (no digest verifies), not a crash.
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_data, "keyhaven.db"), Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE records SET value = randomblob(length(value)) WHERE tbl = 'audit' AND id = 'signing-key'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var keyAltered = await KeyhavenCommand.RunAsync("audit", "verify", "--data", _data, "--json");
        Assert.True(keyAltered.ExitCode == 1, keyAltered.Stdout + keyAltered.Stderr);
        var report = JsonDocument.Parse(keyAltered.Stdout).RootElement;
        Assert.Equal(0, report.GetProperty("digestsVerified").GetInt32());
        Assert.Contains(report.GetProperty("findings").EnumerateArray(),
            f => f.GetProperty("kind").GetString() == "DigestInvalid" && f.GetProperty("detail").GetString()!.Contains("signing key", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> Ok(Task<AwsCli.Result> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"aws exited {result.ExitCode}: {result.Stderr}");
        return result.Json;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
