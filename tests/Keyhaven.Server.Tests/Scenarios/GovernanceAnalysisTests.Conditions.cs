using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>"Who can use this key" when the answer depends on the request: grant constraints, request conditions, and denies that apply to some requests.</summary>
public sealed partial class GovernanceAnalysisTests
{
    [Fact]
    public async Task Access_that_needs_an_encryption_context_or_a_vpc_endpoint_is_allowed_with_conditions_and_request_denies_are_restrictions()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var root = $"arn:aws:iam::{key.AWSAccountId}:root";
        var (tenantApp, _, _) = await iam.CreateUserWithKeyAsync("tenant-app"); // no policy of its own: only the grant
        var privateApp = await CreateRoleAsync(iam, "PrivateApp", root, """{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}""");
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId,
            Policy = $$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"{{root}}"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"ThroughEndpoint","Effect":"Allow","Principal":{"AWS":"{{privateApp}}"},"Action":"kms:Decrypt","Resource":"*",
                   "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"} } },
                  {"Sid":"RequireTls","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"} } }
                ]}
                """,
        });
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = tenantApp, Operations = ["Decrypt"],
            Constraints = new GrantConstraints { EncryptionContextEquals = new() { ["tenant"] = "a" } },
        });

        var access = await raw.KeyAccessAsync(key.KeyId, "kms:Decrypt");

        Assert.Equal("ALLOWED", access[root].GetProperty("outcome").GetString());
        Assert.Equal(["denied when Bool aws:SecureTransport = false (ResourcePolicy: key-policy#RequireTls)"],
            access[root].GetProperty("restrictions").EnumerateArray().Select(r => r.GetString()));

        Assert.Equal("ALLOWED_WITH_CONDITIONS", access[tenantApp].GetProperty("outcome").GetString());
        Assert.Equal(("Grant", "grant:" + grant.GrantId), (access[tenantApp].GetProperty("layer").GetString(), access[tenantApp].GetProperty("statement").GetString()));
        Assert.Equal([$"encryption context equals {{tenant=a}} (grant:{grant.GrantId})"],
            access[tenantApp].GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));

        Assert.Equal("ALLOWED_WITH_CONDITIONS", access[privateApp].GetProperty("outcome").GetString());
        Assert.Contains("StringEquals aws:SourceVpce = vpce-0123456789abcdef0 (ResourcePolicy: key-policy#ThroughEndpoint)",
            access[privateApp].GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));

        // The same principals may not disable the key, under any condition.
        var disable = await raw.KeyAccessAsync(key.KeyId, "kms:DisableKey");
        Assert.Equal("DENIED", disable[tenantApp].GetProperty("outcome").GetString());
        Assert.Equal("DENIED", disable[privateApp].GetProperty("outcome").GetString());
        Assert.Equal("ALLOWED", disable[root].GetProperty("outcome").GetString());
    }
}
