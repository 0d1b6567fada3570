using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Keyhaven.Cli.Tests.Infrastructure;


namespace Keyhaven.Cli.Tests.Network;

/// <summary>
/// Endpoint policies changed at runtime on a real <c>keyhaven serve --config FILE</c> process, seen through Debian's
/// AWS CLI: the file changed and SIGHUP sent, or <c>aws ec2 modify-vpc-endpoint</c>; the new policy is in force for
/// the next request through the endpoint, <c>aws ec2 describe-vpc-endpoints</c> shows it, and
/// <c>aws cloudtrail lookup-events</c> finds the audited change.
/// </summary>
public sealed partial class NetworkReloadCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-net-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static string Config(string account, string policy) => $$"""
        {
          // the test process connects from 127.0.0.1, inside vpc-0app
          "vpcs": [ { "id": "vpc-0app", "account": "{{account}}", "cidrs": ["127.0.0.0/29"] } ],
          "vpcEndpoints": [ { "id": "vpce-0kms", "vpc": "vpc-0app", "service": "kms", "listen": "127.0.0.2:0", "policy": {{policy}} } ]
        }
        """;

    [Fact]
    public async Task A_policy_changed_in_the_file_is_in_force_after_SIGHUP_and_the_reload_is_in_the_audit_trail()
    {
        // The first start makes the deployment (and its account), which the VPC must belong to for `aws ec2`.
        string account;
        await using (var first = await KeyhavenProcess.StartAsync(_data))
        {
            account = AccountLine().Match(first.Output).Groups[1].Value;
            Assert.Equal(0, await first.TerminateAsync());
        }

        var configFile = Path.Combine(_data, "network.json");
        await File.WriteAllTextAsync(configFile, Config(account, "null"));
        await using var server = await KeyhavenProcess.StartAsync(_data, "--config", configFile);
        // "Try: …" comes after the endpoints' lines and after the SIGHUP handler is in place.
        var endpoint = new Uri(EndpointLine().Match(await server.WaitForOutputAsync("Try: ")).Groups[1].Value);
        var allowed = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key"))).GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        var other = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key"))).GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        await AwsCli.Ok(AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", other, "--plaintext", "aGVsbG8="));

        var narrowed = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"{{allowed}}"}]}""";
        await File.WriteAllTextAsync(configFile, Config(account, narrowed));
        await server.SignalAsync("HUP");
        Assert.Contains("VPC endpoint policies changed: vpce-0kms", await server.WaitForOutputAsync("Reloaded network configuration"));

        await AwsCli.Ok(AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", allowed, "--plaintext", "aGVsbG8="));
        var denied = await AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", other, "--plaintext", "aGVsbG8=");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDeniedException", denied.Stderr);
        Assert.Contains("VPC endpoint policy", denied.Stderr);

        var described = (await AwsCli.Ok(AwsCli.RunAsync(server, "ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", "vpce-0kms"))).GetProperty("VpcEndpoints")[0];
        Assert.Contains(allowed, described.GetProperty("PolicyDocument").GetString());

        var found = (await AwsCli.Ok(AwsCli.RunAsync(server, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=ReloadNetworkConfiguration")))
            .GetProperty("Events");
        var reload = JsonDocument.Parse(Assert.Single(found.EnumerateArray()).GetProperty("CloudTrailEvent").GetString()!).RootElement;
        Assert.Equal(("ec2.amazonaws.com", "AwsServiceEvent"), (reload.GetProperty("eventSource").GetString(), reload.GetProperty("eventType").GetString()));
        var data = reload.GetProperty("additionalEventData");
        Assert.Equal(("SIGHUP", Path.GetFullPath(configFile)), (data.GetProperty("trigger").GetString(), data.GetProperty("configurationFile").GetString()));
        var change = Assert.Single(data.GetProperty("vpcEndpointPolicyChanges").EnumerateArray());
        Assert.Equal("vpce-0kms", change.GetProperty("vpcEndpointId").GetString());
        Assert.Equal(JsonValueKind.Null, change.GetProperty("policyBefore").ValueKind);
        Assert.Contains(allowed, change.GetProperty("policyAfter").GetString());

        // A file that moves the listener is refused: nothing changes, and the refusal is audited too.
        await File.WriteAllTextAsync(configFile, Config(account, narrowed).Replace("127.0.0.2:0", "127.0.0.3:0", StringComparison.Ordinal));
        await server.SignalAsync("HUP");
        Assert.Contains("needs a restart", await server.WaitForOutputAsync("not reloaded"));
        await AwsCli.Ok(AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", allowed, "--plaintext", "aGVsbG8="));
        var refused = (await AwsCli.Ok(AwsCli.RunAsync(server, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=ReloadNetworkConfiguration")))
            .GetProperty("Events").EnumerateArray().Select(e => JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!).RootElement).ToList();
        Assert.Equal(2, refused.Count);
        Assert.Contains(refused, e => e.TryGetProperty("errorCode", out var code) && code.GetString() == "InvalidConfiguration");
    }

    [Fact]
    public async Task The_aws_cli_changes_an_endpoint_policy_with_modify_vpc_endpoint()
    {
        string account;
        await using (var first = await KeyhavenProcess.StartAsync(_data))
        {
            account = AccountLine().Match(first.Output).Groups[1].Value;
            Assert.Equal(0, await first.TerminateAsync());
        }

        var configFile = Path.Combine(_data, "network.json");
        await File.WriteAllTextAsync(configFile, Config(account, "null"));
        await using var server = await KeyhavenProcess.StartAsync(_data, "--config", configFile);
        // "Try: …" comes after the endpoints' lines and after the SIGHUP handler is in place.
        var endpoint = new Uri(EndpointLine().Match(await server.WaitForOutputAsync("Try: ")).Groups[1].Value);
        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key"))).GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;

        var onlyDecrypt = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}""";
        var modified = await AwsCli.Ok(AwsCli.RunAsync(server, "ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", "vpce-0kms", "--policy-document", onlyDecrypt));
        Assert.True(modified.GetProperty("Return").GetBoolean());
        var denied = await AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", key, "--plaintext", "aGVsbG8=");
        Assert.Contains("AccessDeniedException", denied.Stderr);

        await AwsCli.Ok(AwsCli.RunAsync(server, "ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", "vpce-0kms", "--reset-policy"));
        await AwsCli.Ok(AwsCli.RunAsync(server, endpoint, "kms", "encrypt", "--key-id", key, "--plaintext", "aGVsbG8="));

        var missing = await AwsCli.RunAsync(server, "ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", "vpce-0nothere", "--reset-policy");
        Assert.Contains("InvalidVpcEndpointId.NotFound", missing.Stderr);
        var events = (await AwsCli.Ok(AwsCli.RunAsync(server, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=ModifyVpcEndpoint")))
            .GetProperty("Events").EnumerateArray().ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("ec2.amazonaws.com", e.GetProperty("EventSource").GetString()));
    }

    [Fact]
    public async Task A_server_started_under_nohup_still_reloads_on_SIGHUP()
    {
        // nohup starts the server with SIGHUP ignored; the runtime keeps an inherited ignore, so without the server
        // taking SIGHUP back the reload handler never runs (and this test waits for its line in vain).
        Directory.CreateDirectory(_data); // the configuration file goes in before the server's first start
        var configFile = Path.Combine(_data, "network.json");
        await File.WriteAllTextAsync(configFile, """{ "vpcs": [], "vpcEndpoints": [] }""");
        await using var server = await KeyhavenProcess.StartUnderNohupAsync(_data, "--config", configFile);
        await server.WaitForOutputAsync("Try: ");
        Assert.False(SighupIgnored(server.ProcessId));

        await server.SignalAsync("HUP");
        Assert.Contains("VPC endpoint policies changed: none", await server.WaitForOutputAsync("Reloaded network configuration"));
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task Without_a_configuration_file_a_server_under_nohup_keeps_ignoring_SIGHUP()
    {
        // Nothing to reload: the server leaves nohup's choice alone, so a hangup does not end it.
        await using var server = await KeyhavenProcess.StartUnderNohupAsync(_data);
        await server.WaitForOutputAsync("Try: ");
        Assert.True(SighupIgnored(server.ProcessId));

        await server.SignalAsync("HUP");
        await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "list-keys"));
        Assert.Equal(0, await server.TerminateAsync());
    }

    /// <summary>Whether the process ignores SIGHUP (signal 1: bit 0 of SigIgn in /proc/PID/status).</summary>
    private static bool SighupIgnored(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 1) != 0;
    }

    [GeneratedRegex(@"for account ([0-9]{12})")]
    private static partial Regex AccountLine();

    [GeneratedRegex(@"VPC endpoint vpce-0kms \(kms, vpc-0app\) at (\S+)")]
    private static partial Regex EndpointLine();
}
