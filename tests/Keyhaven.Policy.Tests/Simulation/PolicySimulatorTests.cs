using System.Text.Json;
using Keyhaven.Policy.Simulation;

namespace Keyhaven.Policy.Tests.Simulation;

/// <summary>The simulate case format (docs/policy-engine.md#simulation-cases) and its JSON output.</summary>
public class PolicySimulatorTests
{
    private const string IssueCase = """
    {
      "request": {
        "principal": "arn:aws:iam::111111111111:role/App",
        "action": "kms:Decrypt",
        "resource": { "resource": "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", "accountId": "222222222222" },
        "context": { "aws:SourceVpce": "vpce-0a1b", "kms:EncryptionContext:dept": "hr", "aws:PrincipalTag/team": ["a", "b"] }
      },
      "identityPolicies": [ { "name": "app-inline", "policy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "UseKeyB", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:222222222222:key/*" } ] } } ],
      "resourcePolicy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "EnableIam", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "kms:*", "Resource": "*" },
        { "Sid": "AllowAccountA", "Effect": "Allow", "Principal": { "AWS": "111111111111" }, "Action": "kms:Decrypt", "Resource": "*",
          "Condition": { "StringEquals": { "kms:EncryptionContext:dept": "hr" } } } ] },
      "permissionBoundaries": [ { "name": "boundary", "policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:*", "Resource": "*" } ] } } ],
      "serviceControlPolicies": [
        { "orgIdentifier": "r-root", "policies": [ { "name": "FullAWSAccess", "policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] } } ] },
        { "orgIdentifier": "ou-1", "policies": [ { "name": "FullAWSAccess", "policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] } } ] },
        { "orgIdentifier": "111111111111", "policies": [ { "name": "FullAWSAccess", "policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] } } ] } ],
      "endpointPolicies": [ { "name": "vpce-0a1b", "policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*" } ] } } ]
    }
    """;

    private static JsonElement Run(string json, bool explain = false)
    {
        var output = PolicySimulator.Simulate(json, explain);
        Assert.Equal(0, output.ExitCode);
        return JsonDocument.Parse(output.Json).RootElement.Clone();
    }

    // spec: reference_policies_evaluation-logic-cross-account.html — the issue's example: cross-account KMS with SCPs, boundary and endpoint.
    [Fact]
    public void Issue_example_is_allowed()
    {
        var r = Run(IssueCase);
        Assert.Equal("Allowed", r.GetProperty("result").GetString());
        Assert.Equal("IdentityPolicy", r.GetProperty("decidingLayer").GetString());
        Assert.Equal("UseKeyB", r.GetProperty("statement").GetProperty("sid").GetString());
    }

    [Fact]
    public void Implicit_deny_names_the_missing_layer_and_exits_zero()
    {
        var r = Run(IssueCase.Replace("\"ou-1\", \"policies\": [ { \"name\": \"FullAWSAccess\", \"policy\": { \"Version\": \"2012-10-17\", \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\" } ] } } ]", "\"ou-1\", \"policies\": []"));
        Assert.Equal("ImplicitlyDenied", r.GetProperty("result").GetString());
        Assert.Equal("ServiceControlPolicy", r.GetProperty("decidingLayer").GetString());
        Assert.Equal("ou-1", r.GetProperty("statement").GetProperty("orgIdentifier").GetString());
        Assert.Contains("because no service control policy allows the kms:Decrypt action", r.GetProperty("message").GetString());
    }

    [Fact]
    public void Encryption_context_condition_is_checked()
    {
        var r = Run(IssueCase.Replace("\"kms:EncryptionContext:dept\": \"hr\" }", "\"kms:EncryptionContext:dept\": \"it\" }"));
        Assert.Equal("ImplicitlyDenied", r.GetProperty("result").GetString());
        Assert.Equal("ResourcePolicy", r.GetProperty("decidingLayer").GetString());
    }

    [Fact]
    public void Explain_lists_every_statement()
    {
        var r = Run(IssueCase, explain: true);
        var statements = r.GetProperty("statements").EnumerateArray().ToList();
        Assert.Equal(8, statements.Count);
        Assert.Contains(statements, s => s.GetProperty("layer").GetString() == "VpcEndpointPolicy" && s.GetProperty("applies").GetBoolean());
        Assert.Contains(statements, s => s.TryGetProperty("sid", out var sid) && sid.GetString() == "EnableIam" && s.GetProperty("outcome").GetString() == "NotMatched");
        Assert.False(Run(IssueCase).TryGetProperty("statements", out _));
    }

    [Fact]
    public void Minimal_case_with_only_a_request()
    {
        var r = Run("""{"request":{"principal":"arn:aws:iam::111111111111:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key"}}""");
        Assert.Equal("ImplicitlyDenied", r.GetProperty("result").GetString());
        Assert.Equal("IdentityPolicy", r.GetProperty("decidingLayer").GetString());
    }

    [Fact]
    public void Explicit_deny_and_grants_and_principal_object()
    {
        const string deny = """
            {"request":{"principal":"arn:aws:iam::111111111111:user/alice","action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111111111111:key/k"},
            "resourcePolicy":{"Version":"2012-10-17","Statement":[{"Sid":"NoDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}}
            """;
        var r = Run(deny);
        Assert.Equal("ExplicitlyDenied", r.GetProperty("result").GetString());
        Assert.Contains("with an explicit deny in a resource-based policy", r.GetProperty("message").GetString());

        const string grant = """
            {"request":{"principal":{"arn":"arn:aws:sts::111111111111:assumed-role/App/s","roleArn":"arn:aws:iam::111111111111:role/team/App"},"action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111111111111:key/k","context":{"kms:EncryptionContext:dept":"hr"}},
            "resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"kms:*","Resource":"*"}]},
            "grants":[{"grantId":"g1","granteePrincipal":"arn:aws:iam::111111111111:role/team/App","operations":["Decrypt"],"constraints":{"encryptionContextSubset":{"dept":"hr"}}}]}
            """;
        var g = Run(grant);
        Assert.Equal("Allowed", g.GetProperty("result").GetString());
        Assert.Equal("Grant", g.GetProperty("decidingLayer").GetString());
        Assert.Equal("g1", g.GetProperty("statement").GetProperty("policy").GetString());
    }

    [Theory]
    [InlineData("not json", "$")]
    [InlineData("""{"policies":[]}""", "$.policies")]
    [InlineData("""{}""", "$")]
    [InlineData("""{"request":{"principal":"bob","action":"kms:Decrypt","resource":"*"}}""", "$.request.principal")]
    [InlineData("""{"request":{"principal":"arn:aws:iam::111111111111:user/a","action":"Decrypt","resource":"*"}}""", "$.request.action")]
    [InlineData("""{"request":{"principal":"arn:aws:iam::111111111111:user/a","action":"kms:Decrypt","resource":"*","context":{"k":{"x":1}}}}""", "$.request.context.k")]
    [InlineData("""{"request":{"principal":"arn:aws:iam::111111111111:user/a","action":"kms:Decrypt","resource":"*"},"identityPolicies":[{"name":"p","policy":{"Statement":[{"Effect":"Allow"}]}}]}""", "$.identityPolicies[0].policy.Statement[0]")]
    [InlineData("""{"request":{"principal":"arn:aws:iam::111111111111:user/a","action":"kms:Decrypt","resource":{"resource":"*","accountId":"12"}}}""", "$.request.resource.accountId")]
    public void Unreadable_input_exits_non_zero_with_a_path(string json, string path)
    {
        var output = PolicySimulator.Simulate(json, explain: false);
        Assert.Equal(PolicySimulator.InvalidInputExitCode, output.ExitCode);
        var r = JsonDocument.Parse(output.Json).RootElement;
        Assert.Equal(path, r.GetProperty("path").GetString());
        Assert.False(string.IsNullOrEmpty(r.GetProperty("error").GetString()));
    }
}
