using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Audit.Reading;
using Keyhaven.Server.Network;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Scenarios;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;
using static Keyhaven.Server.Tests.Ec2.Ec2Clients;
using Filter = Amazon.EC2.Model.Filter;

namespace Keyhaven.Server.Tests.Ec2;

/// <summary>
/// Endpoint policies changed at runtime through the EC2 API (ModifyVpcEndpoint, DescribeVpcEndpoints) with the
/// unmodified AWS SDK for .NET: the change is enforced from the next request, authorized by the policy engine on the
/// endpoint's ARN, audited, kept across restarts until the configuration file's policy changes, and answered with
/// EC2's error codes.
/// </summary>
public sealed class VpcEndpointApiTests
{
    private const string Account = "111122223333";

    private static string AllowOnly(string keyArn) => $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"{{keyArn}}"}]}
        """;

    /// <summary>The test configuration, with the endpoints in the deployment's account.</summary>
    private static NetworkConfiguration Network(string account, string config = VpcEndpointTests.Config) =>
        NetworkConfiguration.Parse(config.Replace(Account, account, StringComparison.Ordinal));

    private static async Task<TestServer> StartAsync()
    {
        // The deployment's account is made on first start: start once to learn it, then again with endpoints in it.
        var server = await TestServer.StartAsync();
        await server.RestartAsync(Network(server.Server.Deployment.Account.Value));
        return server;
    }

    [Fact]
    public async Task ModifyVpcEndpoint_narrows_the_endpoint_from_the_next_request_and_ResetPolicy_restores_full_access()
    {
        await using var server = await StartAsync();
        using var ec2 = server.Ec2();
        using var direct = server.Client();
        var allowed = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var other = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
        await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("full access") });

        var modified = await ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", PolicyDocument = AllowOnly(allowed.Arn) });
        Assert.Equal(System.Net.HttpStatusCode.OK, modified.HttpStatusCode); // this SDK's response has no members (the wire says <return>true</return>)

        await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = allowed.KeyId, Plaintext = Bytes("allowed") });
        var denied = await DeniedAsync(() => viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("other") }));
        Assert.Contains("VPC endpoint policy", denied.Message);
        var deniedEvent = (await server.EventOfAsync(denied.RequestId)).Event;
        Assert.Equal(("vpce-0kms", "VpcEndpointPolicy"), (deniedEvent.VpcEndpointId, deniedEvent.AdditionalEventData!.Value.GetProperty("authorization").GetProperty("layer").GetString()));
        await direct.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("the public listener is not narrowed") });

        var described = (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { VpcEndpointIds = ["vpce-0kms"] })).VpcEndpoints.Single();
        Assert.Equal(AllowOnly(allowed.Arn), described.PolicyDocument);
        Assert.Equal(("vpc-0app", $"com.amazonaws.{server.Region}.kms", "Available", server.Server.Deployment.Account.Value),
            (described.VpcId, described.ServiceName, described.State.Value, described.OwnerId));

        Assert.Equal(System.Net.HttpStatusCode.OK, (await ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", ResetPolicy = true })).HttpStatusCode);
        await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("full access again") });
        described = (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { VpcEndpointIds = ["vpce-0kms"] })).VpcEndpoints.Single();
        using var fullAccess = JsonDocument.Parse(described.PolicyDocument);
        var statement = fullAccess.RootElement.GetProperty("Statement")[0];
        Assert.Equal(("Allow", "*", "*", "*"), (statement.GetProperty("Effect").GetString(), statement.GetProperty("Action").GetString(),
            statement.GetProperty("Principal").GetString(), statement.GetProperty("Resource").GetString()));
    }

    [Fact]
    public async Task A_change_is_audited_as_an_ec2_event_on_the_endpoint_arn()
    {
        await using var server = await StartAsync();
        using var ec2 = server.Ec2();
        var account = server.Server.Deployment.Account.Value;
        var policy = AllowOnly($"arn:aws:kms:{server.Region}:{account}:key/*");
        var response = await ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", PolicyDocument = policy });

        var recorded = (await server.EventOfAsync(response.ResponseMetadata.RequestId)).Event;
        Assert.Equal(("ec2.amazonaws.com", "ModifyVpcEndpoint", false, null), (recorded.EventSource, recorded.EventName, recorded.ReadOnly, recorded.ErrorCode));
        Assert.Equal($"arn:aws:iam::{account}:root", recorded.UserIdentity.Arn);
        var resource = Assert.Single(recorded.Resources!);
        Assert.Equal(($"arn:aws:ec2:{server.Region}:{account}:vpc-endpoint/vpce-0kms", account, "AWS::EC2::VPCEndpoint"), (resource.Arn, resource.AccountId, resource.Type));
        Assert.Equal("vpce-0kms", recorded.RequestParameters!.Value.GetProperty("vpcEndpointId").GetString());
        Assert.Equal(policy, recorded.RequestParameters!.Value.GetProperty("policyDocument").GetString());
        Assert.Equal("true", recorded.ResponseElements!.Value.GetProperty("return").GetString());

        var refused = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0nothere", ResetPolicy = true }));
        var refusal = (await server.EventOfAsync(refused.RequestId)).Event;
        Assert.Equal(("ModifyVpcEndpoint", "InvalidVpcEndpointId.NotFound"), (refusal.EventName, refusal.ErrorCode));

        var described = await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { Filters = [new Filter("vpc-id", ["vpc-0app"])] });
        var description = (await server.EventOfAsync(described.ResponseMetadata.RequestId)).Event;
        Assert.Equal(("DescribeVpcEndpoints", true), (description.EventName, description.ReadOnly));
        Assert.Equal("vpc-id", description.RequestParameters!.Value.GetProperty("filter")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Only_callers_allowed_ec2_ModifyVpcEndpoint_on_the_endpoint_arn_may_change_it()
    {
        await using var server = await StartAsync();
        var account = server.Server.Deployment.Account.Value;
        using var iam = new IamQueryClient(server);
        var onlyFar = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"ec2:ModifyVpcEndpoint","Resource":"arn:aws:ec2:{{server.Region}}:{{account}}:vpc-endpoint/vpce-0far"},
              {"Effect":"Allow","Action":"ec2:DescribeVpcEndpoints","Resource":"*"}]}
            """;
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("network-admin", onlyFar);
        using var ec2 = server.Ec2(new BasicAWSCredentials(accessKeyId, secret));

        var denied = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", ResetPolicy = true }));
        Assert.Equal(("UnauthorizedOperation", System.Net.HttpStatusCode.Forbidden), (denied.ErrorCode, denied.StatusCode));
        Assert.Contains($"User: {userArn} is not authorized to perform: ec2:ModifyVpcEndpoint on resource: arn:aws:ec2:{server.Region}:{account}:vpc-endpoint/vpce-0kms", denied.Message);
        var decision = (await server.EventOfAsync(denied.RequestId)).Event.AdditionalEventData!.Value.GetProperty("authorization");
        Assert.Equal("ec2:ModifyVpcEndpoint", decision.GetProperty("action").GetString());

        // Without permission a caller cannot tell an existing endpoint from a missing one.
        denied = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0nothere", ResetPolicy = true }));
        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);

        var dryRun = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0far", ResetPolicy = true, DryRun = true }));
        Assert.Equal("DryRunOperation", dryRun.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0far", PolicyDocument = AllowOnly("*") })).HttpStatusCode);
        Assert.Equal(2, (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest())).VpcEndpoints.Count);

        // An SCP-free deny of the Describe permission refuses it too.
        var (_, nobodyKey, nobodySecret) = await iam.CreateUserWithKeyAsync("nobody");
        using var nobody = server.Ec2(new BasicAWSCredentials(nobodyKey, nobodySecret));
        Assert.Equal("UnauthorizedOperation", (await Assert.ThrowsAsync<AmazonEC2Exception>(() => nobody.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest()))).ErrorCode);
    }

    [Fact]
    public async Task Bad_requests_get_ec2_error_codes()
    {
        await using var server = await StartAsync();
        using var ec2 = server.Ec2();

        await Ec2FailsAsync("InvalidVpcEndpointId.NotFound", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0nothere", ResetPolicy = true }));
        await Ec2FailsAsync("InvalidVpcEndpointId.NotFound", () => ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { VpcEndpointIds = ["vpce-0kms", "vpce-0nothere"] }));
        await Ec2FailsAsync("InvalidVpcEndpointId.Malformed", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "endpoint-1", ResetPolicy = true }));
        await Ec2FailsAsync("InvalidParameterCombination",
            () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", ResetPolicy = true, PolicyDocument = AllowOnly("*") }));
        var malformed = await Ec2FailsAsync("InvalidPolicyDocument", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", PolicyDocument = "{\"Statement\":" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, malformed.StatusCode);
        await Ec2FailsAsync("InvalidPolicyDocument", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest
        {
            VpcEndpointId = "vpce-0kms", PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""", // no Principal
        }));
        await Ec2FailsAsync("InvalidPolicyDocument", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest
        {
            VpcEndpointId = "vpce-0kms", PolicyDocument = AllowOnly("*") + new string(' ', 20_481),
        }));
        await Ec2FailsAsync("UnsupportedOperation", () => ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", AddSubnetIds = ["subnet-1"] }));
        await Ec2FailsAsync("InvalidParameterValue", () => ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { Filters = [new Filter("tag:Name", ["x"])] }));
        await Ec2FailsAsync("InvalidAction", () => ec2.DescribeVpcsAsync(new DescribeVpcsRequest()));

        // Nothing changed: the endpoint still has full access.
        using var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms"));
        await viaEndpoint.CreateKeyAsync(new CreateKeyRequest());
    }

    [Fact]
    public async Task DescribeVpcEndpoints_filters_and_pages()
    {
        await using var server = await StartAsync();
        using var ec2 = server.Ec2();
        var all = (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest())).VpcEndpoints;
        Assert.Equal(["vpce-0far", "vpce-0kms"], all.Select(e => e.VpcEndpointId));
        var far = (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { Filters = [new Filter("vpc-id", ["vpc-0far"])] })).VpcEndpoints;
        Assert.Equal("vpce-0far", Assert.Single(far).VpcEndpointId);
        var kms = (await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { Filters = [new Filter("service-name", [$"com.amazonaws.{server.Region}.kms"])] })).VpcEndpoints;
        Assert.Equal(2, kms.Count); // vpce-0far serves kms by default

        var first = await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { MaxResults = 1 });
        Assert.Equal("vpce-0far", Assert.Single(first.VpcEndpoints).VpcEndpointId);
        var second = await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { MaxResults = 1, NextToken = first.NextToken });
        Assert.Equal("vpce-0kms", Assert.Single(second.VpcEndpoints).VpcEndpointId);
        Assert.Null(second.NextToken);

        // The SDK's paginator walks the same pages.
        var paged = new List<string>();
        await foreach (var endpoint in ec2.Paginators.DescribeVpcEndpoints(new DescribeVpcEndpointsRequest { MaxResults = 1 }).VpcEndpoints)
        {
            paged.Add(endpoint.VpcEndpointId);
        }

        Assert.Equal(["vpce-0far", "vpce-0kms"], paged);
    }

    [Fact]
    public async Task A_policy_set_through_the_api_survives_a_restart_until_the_files_policy_changes()
    {
        await using var server = await StartAsync();
        var account = server.Server.Deployment.Account.Value;
        using var direct = server.Client();
        var allowed = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var other = (await direct.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using (var ec2 = server.Ec2())
        {
            await ec2.ModifyVpcEndpointAsync(new ModifyVpcEndpointRequest { VpcEndpointId = "vpce-0kms", PolicyDocument = AllowOnly(allowed.Arn) });
        }

        // Same file: the API's policy stays, across a restart and a reload.
        await server.RestartAsync(Network(account));
        Assert.Empty(await server.Server.ReloadNetworkAsync(Network(account)));
        using (var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms")))
        {
            await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = allowed.KeyId, Plaintext = Bytes("allowed") });
            await DeniedAsync(() => viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("other") }));
        }

        // The file's policy changes: it wins.
        var changedFile = Network(account, VpcEndpointTests.Config.Replace("\"policy\": null", $"\"policy\": {AllowOnly(other.Arn)}", StringComparison.Ordinal));
        Assert.Equal(["vpce-0kms"], await server.Server.ReloadNetworkAsync(changedFile));
        using (var viaEndpoint = server.Client(server.AccessKeyId, server.SecretAccessKey, endpoint: server.Server.VpcEndpointUri("vpce-0kms")))
        {
            await viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("other") });
            await DeniedAsync(() => viaEndpoint.EncryptAsync(new EncryptRequest { KeyId = allowed.KeyId, Plaintext = Bytes("allowed") }));
        }
    }

    [Fact]
    public async Task A_reload_is_audited_with_the_policy_before_and_after()
    {
        await using var server = await StartAsync();
        var account = server.Server.Deployment.Account.Value;
        var policy = AllowOnly($"arn:aws:kms:{server.Region}:{account}:key/*");
        var sequence = server.Server.AuditTrail.LastSequence;
        var changedFile = Network(account, VpcEndpointTests.Config.Replace("\"policy\": null", $"\"policy\": {policy}", StringComparison.Ordinal));
        await server.Server.ReloadNetworkAsync(changedFile);

        var recorded = Assert.Single(await server.EventsAsync(sequence)).Event;
        Assert.Equal(("ec2.amazonaws.com", "ReloadNetworkConfiguration", "AwsServiceEvent", "AWSService", null),
            (recorded.EventSource, recorded.EventName, recorded.EventType, recorded.UserIdentity.Type, recorded.ErrorCode));
        var change = Assert.Single(recorded.AdditionalEventData!.Value.GetProperty("vpcEndpointPolicyChanges").EnumerateArray());
        Assert.Equal("vpce-0kms", change.GetProperty("vpcEndpointId").GetString());
        Assert.Equal(JsonValueKind.Null, change.GetProperty("policyBefore").ValueKind);
        Assert.Equal(JsonDocument.Parse(policy).RootElement.GetRawText().Replace(" ", ""), change.GetProperty("policyAfter").GetString()!.Replace(" ", ""));
        Assert.Equal($"arn:aws:ec2:{server.Region}:{account}:vpc-endpoint/vpce-0kms", Assert.Single(recorded.Resources!).Arn);

        // A refused reload changes nothing and is recorded with the reason.
        sequence = server.Server.AuditTrail.LastSequence;
        var moved = Network(account, VpcEndpointTests.Config.Replace("127.0.0.3:0", "127.0.0.4:0", StringComparison.Ordinal));
        await Assert.ThrowsAsync<FormatException>(() => server.Server.ReloadNetworkAsync(moved));
        var refused = Assert.Single(await server.EventsAsync(sequence, new AuditEventFilter { EventName = "ReloadNetworkConfiguration" })).Event;
        Assert.Equal("InvalidConfiguration", refused.ErrorCode);
        Assert.Contains("restart", refused.ErrorMessage);
    }
}
