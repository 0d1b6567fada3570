using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven policy simulate</c> and <c>keyhaven policy validate</c> as a user runs them.</summary>
public sealed class PolicyCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keyhaven-policy-cli").FullName;

    private const string KeyArn = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private string Write(string name, string json)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static string Case(string keyPolicyPrincipal) => $$"""
        {
          "request": {
            "principal": "arn:aws:iam::111111111111:role/App",
            "action": "kms:Decrypt",
            "resource": { "resource": "{{KeyArn}}", "accountId": "222222222222" },
            "context": { "kms:EncryptionContext:dept": "hr" }
          },
          "identityPolicies": [ { "name": "app", "policy": { "Version": "2012-10-17",
            "Statement": [ { "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "{{KeyArn}}" } ] } } ],
          "resourcePolicy": { "Version": "2012-10-17", "Statement": [ { "Sid": "CrossAccount", "Effect": "Allow",
            "Principal": { "AWS": "{{keyPolicyPrincipal}}" }, "Action": "kms:Decrypt", "Resource": "*",
            "Condition": { "StringEquals": { "kms:EncryptionContext:dept": "hr" } } } ] }
        }
        """;

    [Fact]
    public async Task Simulate_allows_cross_account_use_when_both_sides_allow()
    {
        // AWS: cross-account access needs an allow in the key policy and in the caller's identity policy.
        var result = await KeyhavenCommand.RunAsync("policy", "simulate", Write("allowed.json", Case("arn:aws:iam::111111111111:role/App")));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Allowed", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Simulate_exits_0_for_a_denial_and_explains_it_on_request()
    {
        var result = await KeyhavenCommand.RunAsync("policy", "simulate", Write("denied.json", Case("arn:aws:iam::333333333333:root")), "--explain");
        Assert.Equal(0, result.ExitCode);
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("ImplicitlyDenied", output.GetProperty("result").GetString());
        Assert.Contains("kms:Decrypt", output.GetProperty("message").GetString());
        Assert.True(output.EnumerateObject().Count() > 2, "--explain adds the per-statement explanation");
    }

    [Fact]
    public async Task Simulate_fails_for_unreadable_input()
    {
        var missing = await KeyhavenCommand.RunAsync("policy", "simulate", Path.Combine(_directory, "missing.json"));
        Assert.NotEqual(0, missing.ExitCode);
        var broken = await KeyhavenCommand.RunAsync("policy", "simulate", Write("broken.json", "{ not json"));
        Assert.NotEqual(0, broken.ExitCode);
    }

    [Fact]
    public async Task Validate_reports_findings_in_access_analyzer_categories()
    {
        // IAM Access Analyzer: a resource policy that allows "*" with no condition is a security warning.
        var open = Write("open.json", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}""");
        var result = await KeyhavenCommand.RunAsync("policy", "validate", open, "--type", "resource");
        var findings = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("findingType").GetString() == "SECURITY_WARNING");

        var invalid = Write("invalid.json", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}]}""");
        var error = await KeyhavenCommand.RunAsync("policy", "validate", invalid, "--type", "identity");
        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("ERROR", error.Stdout);
        Assert.Contains("StringEqualz", error.Stdout);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
