using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Network;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// A key usable only through one VPC endpoint: real listeners on loopback addresses, unmodified AWS SDK clients that
/// only change their endpoint URL, key policies on aws:SourceVpce and an endpoint policy that narrows to one key.
/// </summary>
public sealed class VpcEndpointTests
{
    // The kernel picks 127.0.0.1 as the source address of an unbound socket to any 127.x address, so the test process
    // is "inside" a VPC whose ranges hold 127.0.0.1 and outside one whose ranges do not.
    internal const string Config = """
        {
          "vpcs": [
            { "id": "vpc-0app", "account": "111122223333", "cidrs": ["127.0.0.0/29"] },
            { "id": "vpc-0far", "account": "111122223333", "cidrs": ["127.0.1.0/24"] }
          ],
          "vpcEndpoints": [
            { "id": "vpce-0kms", "vpc": "vpc-0app", "service": "kms", "listen": "127.0.0.2:0", "policy": null },
            { "id": "vpce-0far", "vpc": "vpc-0far", "listen": "127.0.0.3:0" }
          ]
        }
        """;

    [Fact]
    public async Task A_key_whose_policy_requires_the_endpoint_is_usable_through_it_and_denied_on_the_public_listener()
    {
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(Config));
        using var direct = server.Client();
        using var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
        var root = $"arn:aws:iam::{server.Server.Deployment.Account}:root";
        // AWS's documented pattern: deny use of the key unless the request came through the endpoint.
        var key = (await direct.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = $$$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"OnlyThroughTheEndpoint","Effect":"Deny","Principal":"*","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*",
                   "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0kms"}}}]}
                """,
        })).KeyMetadata;

        await DeniedAsync(() => direct.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("direct") }));
        var blob = (await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("through the endpoint") })).CiphertextBlob;
        Assert.Equal("through the endpoint", Encoding.UTF8.GetString((await viaEndpoint.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        blob.Position = 0;
        await DeniedAsync(() => direct.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        Assert.Equal(key.KeyId, (await direct.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyId); // not denied by the statement
    }

    [Fact]
    public async Task A_request_through_the_endpoint_carries_the_VPC_condition_keys_and_no_source_ip()
    {
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(Config));
        using var direct = server.Client();
        using var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
        var root = $"arn:aws:iam::{server.Server.Deployment.Account}:root";
        var key = (await direct.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = $$$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"NotAction":["kms:Encrypt","kms:GenerateRandom"],"Resource":"*"},
                  {"Sid":"FromTheAppVpc","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"Action":"kms:Encrypt","Resource":"*","Condition":{
                    "StringEquals":{"aws:SourceVpce":"vpce-0kms","aws:SourceVpc":"vpc-0app","aws:VpceAccount":"111122223333",
                                    "aws:SourceVpcArn":"arn:aws:ec2:{{{{server.Region}}}}:111122223333:vpc/vpc-0app"},
                    "IpAddress":{"aws:VpcSourceIp":"127.0.0.1/32"},
                    "Null":{"aws:SourceIp":"true"}}},
                  {"Sid":"FromThePublicListener","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"Action":"kms:Encrypt","Resource":"*","Condition":{
                    "IpAddress":{"aws:SourceIp":"127.0.0.1/32"},"Null":{"aws:SourceVpce":"true","aws:SourceVpc":"true","aws:VpcSourceIp":"true"},
                    "Bool":{"aws:SecureTransport":"false"}}}]}
                """,
        })).KeyMetadata;

        await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("vpc") });
        await direct.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("public") });

        // The same statements, with the values of another endpoint, deny.
        await direct.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId,
            Policy = $$$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"NotAction":"kms:Encrypt","Resource":"*"},
                  {"Sid":"FromTheFarVpc","Effect":"Allow","Principal":{"AWS":"{{{{root}}}}"},"Action":"kms:Encrypt","Resource":"*","Condition":{
                    "StringEquals":{"aws:SourceVpc":"vpc-0far"}}}]}
                """,
        });
        await DeniedAsync(() => viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("vpc") }));
        await DeniedAsync(() => direct.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("public") }));
    }

    [Fact]
    public async Task An_endpoint_policy_narrows_the_endpoint_to_one_key_and_changes_on_reload_and_survives_a_restart()
    {
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(Config));
        using var direct = server.Client();
        var allowed = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var other = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var narrowed = NetworkConfiguration.Parse(Config.Replace("\"policy\": null", $$$$"""
            "policy": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"{{{{allowed.Arn}}}}"}]}
            """, StringComparison.Ordinal));

        var changed = await server.Server.ReloadNetworkAsync(narrowed);
        Assert.Equal(["vpce-0kms"], changed);
        await CheckNarrowedAsync();

        // The policy lives in the store: a restart with the same file keeps it, and reloading the same file changes nothing.
        await server.RestartAsync(narrowed);
        await CheckNarrowedAsync();
        Assert.Empty(await server.Server.ReloadNetworkAsync(narrowed));

        // Back to full access when the file says so again.
        Assert.Equal(["vpce-0kms"], await server.Server.ReloadNetworkAsync(NetworkConfiguration.Parse(Config)));
        using var open = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
        await open.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("any key again") });

        async Task CheckNarrowedAsync()
        {
            using var direct = server.Client();
            using var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
            await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = allowed.KeyId, Plaintext = Bytes("allowed key") });
            var denied = await DeniedAsync(() => viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("other key") }));
            Assert.Contains("VPC endpoint policy", denied.Message);
            await DeniedAsync(() => viaEndpoint.CreateKeyAsync(new CreateKeyRequest()));
            await direct.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("the public path is not narrowed") });
        }
    }

    [Fact]
    public async Task An_endpoint_serves_only_its_service_and_only_clients_inside_its_VPC()
    {
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(Config));
        using var sts = server.Sts(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey), server.Server.VpcEndpointUri("vpce-0kms"));
        var refused = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Contains("`vpce-0kms` serves `kms`, not `sts`", refused.Message);

        // 127.0.0.1 is not in vpc-0far's range: its endpoint does not accept the connection at all.
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(server.Server.VpcEndpointUri("vpce-0far"), new StringContent("{}")));
    }

    private const string StsAndOrganizationsConfig = """
        {
          "vpcs": [ { "id": "vpc-0app", "account": "111122223333", "cidrs": ["127.0.0.0/29"] } ],
          "vpcEndpoints": [
            { "id": "vpce-0sts", "vpc": "vpc-0app", "service": "sts", "listen": "127.0.0.2:0",
              "policy": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:GetCallerIdentity","Resource":"*"}]} },
            { "id": "vpce-0org", "vpc": "vpc-0app", "service": "organizations", "listen": "127.0.0.3:0",
              "policy": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"organizations:DescribeOrganization","Resource":"*"}]} }
          ]
        }
        """;

    [Fact]
    public async Task An_sts_endpoint_policy_applies_to_AssumeRole_and_GetSessionToken_and_trust_policies_see_the_network_keys()
    {
        // spec: IAM/latest/UserGuide/reference_sts_vpc_endpoint_policies.html: the endpoint policy and the caller's policies must both allow.
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(StsAndOrganizationsConfig));
        using var iam = new IamQueryClient(server);
        var (userArn, userKey, userSecret) = await iam.CreateUserWithKeyAsync("u1", IamQueryClient.Allow("sts:AssumeRole"));
        var role = await iam.CreateRoleAsync("r1", userArn);
        var credentials = new BasicAWSCredentials(userKey, userSecret);
        using var viaEndpoint = server.Sts(credentials, server.Server.VpcEndpointUri("vpce-0sts"));
        using var direct = server.Sts(credentials);

        Assert.Equal(userArn, (await viaEndpoint.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        var denied = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            viaEndpoint.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = role, RoleSessionName = "s1" }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
        var noToken = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => viaEndpoint.GetSessionTokenAsync(new GetSessionTokenRequest()));
        Assert.Equal("AccessDenied", noToken.ErrorCode);
        Assert.Contains("VPC endpoint policy", noToken.Message);
        await direct.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = role, RoleSessionName = "s1" });
        await direct.GetSessionTokenAsync(new GetSessionTokenRequest());

        // The trust policy's evaluation has the request's network keys: a Deny outside an address range now applies.
        await iam.OkAsync("UpdateAssumeRolePolicy", ("RoleName", "r1"), ("PolicyDocument", $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"{{{{userArn}}}}"},"Action":"sts:AssumeRole"},
              {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}
            """));
        var outside = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            direct.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = role, RoleSessionName = "s2" }));
        Assert.Equal("AccessDenied", outside.ErrorCode);
    }

    [Fact]
    public async Task An_organizations_endpoint_policy_is_enforced_before_the_operation()
    {
        // spec: organizations/latest/userguide/create-vpc-endpoint-policy.html
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(StsAndOrganizationsConfig));
        using var raw = new RawKmsClient(server);
        var refused = await raw.SendAsync("AWSOrganizationsV20161128.CreateOrganization", """{"FeatureSet":"ALL"}""", service: "organizations",
            endpoint: server.Server.VpcEndpointUri("vpce-0org"));
        Assert.Equal((400, "AccessDeniedException"), (refused.Status, refused.ErrorType));
        Assert.Contains("VPC endpoint policy", refused.Body.GetProperty("Message").GetString());

        // Nothing was created; the public listener is not narrowed.
        var none = await raw.SendAsync("AWSOrganizationsV20161128.DescribeOrganization", "{}", service: "organizations");
        Assert.Equal("AWSOrganizationsNotInUseException", none.ErrorType);
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var described = await raw.SendAsync("AWSOrganizationsV20161128.DescribeOrganization", "{}", service: "organizations", endpoint: server.Server.VpcEndpointUri("vpce-0org"));
        Assert.Equal(200, described.Status);
    }

    [Fact]
    public async Task A_kept_alive_endpoint_connection_is_closed_once_a_reload_puts_its_client_outside_the_VPC()
    {
        await using var server = await TestServer.StartAsync(network: NetworkConfiguration.Parse(Config));
        using var raw = new RawKmsClient(server); // one HttpClient: the connection is kept alive between requests
        var endpoint = server.Server.VpcEndpointUri("vpce-0kms");
        Assert.Equal(200, (await raw.SendAsync("TrentService.ListKeys", "{}", endpoint: endpoint)).Status);

        // docs/network.md: VPC ranges take effect for the next request; 127.0.0.1 is no longer in vpc-0app.
        await server.Server.ReloadNetworkAsync(NetworkConfiguration.Parse(Config.Replace("\"127.0.0.0/29\"", "\"127.0.2.0/29\"", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<HttpRequestException>(() => raw.SendAsync("TrentService.ListKeys", "{}", endpoint: endpoint));
    }
}
