using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Analyze;

/// <summary>
/// <c>keyhaven analyze</c> on the data directory of a running <c>keyhaven serve</c>, set up with the AWS CLI: findings as
/// JSON and as a table, and who can decrypt with a key, federated group mappings included.
/// </summary>
public sealed class AnalyzeCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-analyze-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Analyze_reports_an_external_grant_a_role_that_manages_and_uses_keys_and_who_can_decrypt()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key", "--description", "analyzed"))).GetProperty("KeyMetadata");
        var keyId = key.GetProperty("KeyId").GetString()!;
        var account = key.GetProperty("AWSAccountId").GetString()!;
        var grantId = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-grant", "--key-id", keyId, "--grantee-principal", "arn:aws:iam::111122223333:root",
            "--operations", "Decrypt"))).GetProperty("GrantId").GetString()!;
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"sts:AssumeRole"}]}""";
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "KeyAdmin", "--assume-role-policy-document", trust));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-role-policy", "--role-name", "KeyAdmin", "--policy-name", "all-kms",
            "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"""), expectOutput: false);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "Viewer", "--assume-role-policy-document", trust));
        var config = Path.Combine(_data, "network.json");
        await File.WriteAllTextAsync(config, $$"""
            {"federation":{"groupRoles":[{"provider":"arn:aws:iam::{{account}}:oidc-provider/idp.example.com","group":"key-admins","role":"arn:aws:iam::{{account}}:role/KeyAdmin"}] } }
            """);

        var json = await KeyhavenCommand.RunAsync("analyze", "all", "--data", _data, "--json");
        Assert.True(json.ExitCode == 0, json.Stdout + json.Stderr);
        var findings = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("findings").EnumerateArray().ToList();
        string? Member(JsonElement f, string name) => f.GetProperty(name).GetString();
        Assert.Contains(findings, f => Member(f, "rule") == "EXTERNAL_ACCESS" && Member(f, "statement") == "grant:" + grantId
            && Member(f, "principal") == "arn:aws:iam::111122223333:root" && Member(f, "resource") == key.GetProperty("Arn").GetString());
        Assert.Contains(findings, f => Member(f, "rule") == "SEPARATION_OF_DUTIES" && Member(f, "principal") == $"arn:aws:iam::{account}:role/KeyAdmin");
        Assert.Contains(findings, f => Member(f, "rule") == "IDENTITY_POLICY_ALLOWS_KMS_ALL" && Member(f, "statement") == "all-kms#0");
        Assert.Contains(findings, f => Member(f, "rule") == "GRANT_WITHOUT_CONSTRAINTS" && Member(f, "statement") == "grant:" + grantId);
        Assert.All(findings, f => Assert.Matches("^KH-[0-9a-f]{16}$", Member(f, "id")));
        Assert.Equal(findings.Select(f => Member(f, "severity")), findings.Select(f => Member(f, "severity")).OrderBy(s => Array.IndexOf(["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"], s)));

        var table = await KeyhavenCommand.RunAsync("analyze", "external-access", "--data", _data);
        Assert.True(table.ExitCode == 0, table.Stdout + table.Stderr);
        Assert.Contains("SEVERITY", table.Stdout);
        Assert.Contains("Remediation: Retire or revoke the grant", table.Stdout);
        Assert.Contains("1 findings: 1 high.", table.Stdout);

        var access = await KeyhavenCommand.RunAsync("analyze", "key-access", "--data", _data, "--key", keyId, "--action", "kms:Decrypt", "--config", config, "--json");
        Assert.True(access.ExitCode == 0, access.Stdout + access.Stderr);
        var principals = JsonDocument.Parse(access.Stdout).RootElement.GetProperty("principals").EnumerateArray()
            .ToDictionary(p => p.GetProperty("type").GetString() + " " + p.GetProperty("principal").GetString(), p => p.GetProperty("outcome").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            [$"Root arn:aws:iam::{account}:root"] = "ALLOWED",
            [$"Role arn:aws:iam::{account}:role/KeyAdmin"] = "ALLOWED",
            [$"FederatedGroup arn:aws:iam::{account}:role/KeyAdmin"] = "ALLOWED",
            [$"Role arn:aws:iam::{account}:role/Viewer"] = "DENIED",
        }, principals);

        var text = await KeyhavenCommand.RunAsync("analyze", "key-access", "--data", _data, "--key", keyId, "--config", config);
        Assert.Contains($"Who can kms:Decrypt with {key.GetProperty("Arn").GetString()}:", text.Stdout);
        Assert.Contains("(group `key-admins` of `arn:aws:iam::" + account + ":oidc-provider/idp.example.com`)", text.Stdout);
        Assert.Contains("is not authorized to perform: kms:Decrypt", text.Stdout);
        Assert.Contains("3 allowed, 0 allowed under conditions, 1 denied.", text.Stdout);

        var unknown = await KeyhavenCommand.RunAsync("analyze", "key-access", "--data", _data, "--key", "1234abcd-12ab-34cd-56ef-1234567890ab");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("does not exist", unknown.Stderr);
        var missing = await KeyhavenCommand.RunAsync("analyze", "all", "--data", Path.Combine(_data, "nothing-here"));
        Assert.Equal(2, missing.ExitCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
