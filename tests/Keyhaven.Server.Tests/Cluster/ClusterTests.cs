using System.Diagnostics;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Cluster;

/// <summary>
/// Several Keyhaven nodes on one PostgreSQL database (always, whatever the matrix runs the other tests on): a client
/// may send each request to a different node, a change made on one node takes effect on every node within a second,
/// and the background work runs on one node, another taking over when it dies.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Coherence = TimeSpan.FromSeconds(1);
    private readonly List<TestServer> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Other nodes first: the first owns the database.
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }
    }

    private async Task<TestServer[]> StartAsync(int count, TimeSpan? maintenanceInterval = null)
    {
        _nodes.Add(await TestServer.StartAsync(postgres: true, maintenanceInterval: maintenanceInterval));
        for (var i = 1; i < count; i++)
        {
            _nodes.Add(await TestServer.StartNodeAsync(_nodes[0]));
        }

        return [.. _nodes];
    }

    /// <summary>Calls <paramref name="call"/> until it fails with <paramref name="errorCode"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilRefusedAsync(Func<Task> call, string errorCode)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                await call();
            }
            catch (AmazonKeyManagementServiceException error) when (error.ErrorCode == errorCode)
            {
                return clock.Elapsed;
            }

            await Task.Delay(10);
        }

        throw new Xunit.Sdk.XunitException($"Still not refused with {errorCode} after {clock.Elapsed}.");
    }

    [Fact]
    public async Task A_key_made_on_one_node_is_used_on_another_and_disabled_on_a_third_is_refused_by_the_first_within_a_second()
    {
        var nodes = await StartAsync(3);
        using var kms1 = nodes[0].Client();
        using var kms2 = nodes[1].Client();
        using var kms3 = nodes[2].Client();

        var key = (await kms1.CreateKeyAsync(new CreateKeyRequest { Description = "shared" })).KeyMetadata;
        var blob = (await kms2.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("across nodes") })).CiphertextBlob;
        Assert.Equal("across nodes", System.Text.Encoding.UTF8.GetString((await kms3.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        await kms1.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("warm") }); // node 1 now holds the key in memory

        await kms3.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var took = await UntilRefusedAsync(() => kms1.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("late") }), "DisabledException");
        Assert.True(took < Coherence, $"node 1 took {took} to see the key disabled");
        await kms2.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        await kms1.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared", TargetKeyId = key.KeyId });
        Assert.Equal("shared", (await kms3.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/shared" })).KeyMetadata.Description);

        // Every node appended its requests' audit events to one chain, which verifies as a whole.
        var audit = await nodes[0].Server.VerifyAuditAsync();
        Assert.True(audit.IsIntact, string.Join("; ", audit.Findings));
        Assert.True(audit.EventsVerified >= 8, $"only {audit.EventsVerified} events in the trail");
    }

    [Fact]
    public async Task An_endpoint_policy_changed_through_one_node_is_enforced_by_the_others_within_a_second()
    {
        // The endpoints' VPCs belong to the deployment's account, which exists after the first start.
        var first = await TestServer.StartAsync(postgres: true);
        _nodes.Add(first);
        var account = first.Server.Deployment.Account.Value;
        await first.RestartAsync(Keyhaven.Server.Network.NetworkConfiguration.Parse(Scenarios.VpcEndpointTests.Config.Replace("111122223333", account, StringComparison.Ordinal)));
        _nodes.Add(await TestServer.StartNodeAsync(first));
        var second = _nodes[1];
        using var kms = first.Client();
        var allowed = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var other = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var viaSecond = second.Client(second.AccessKeyId, second.SecretAccessKey, endpoint: second.Server.VpcEndpointUri("vpce-0kms"));
        var encryptOther = () => viaSecond.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("other") });
        await encryptOther(); // node 2 now holds the endpoint's (full-access) policy in memory

        using var ec2 = Keyhaven.Server.Tests.Ec2.Ec2Clients.Ec2(first);
        await ec2.ModifyVpcEndpointAsync(new Amazon.EC2.Model.ModifyVpcEndpointRequest
        {
            VpcEndpointId = "vpce-0kms",
            PolicyDocument = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"{{allowed.Arn}}"}]}""",
        });

        var took = await UntilRefusedAsync(encryptOther, "AccessDeniedException");
        Assert.True(took < Coherence, $"node 2 took {took} to enforce the new endpoint policy");
        await viaSecond.EncryptAsync(new EncryptRequest { KeyId = allowed.KeyId, Plaintext = Bytes("allowed") });
        using var ec2Second = Keyhaven.Server.Tests.Ec2.Ec2Clients.Ec2(second);
        var described = (await ec2Second.DescribeVpcEndpointsAsync(new Amazon.EC2.Model.DescribeVpcEndpointsRequest { VpcEndpointIds = ["vpce-0kms"] })).VpcEndpoints.Single();
        Assert.Contains(allowed.Arn, described.PolicyDocument);
    }

    [Fact]
    public async Task A_grant_revoked_or_a_key_policy_changed_on_one_node_takes_effect_on_the_others_within_a_second()
    {
        var nodes = await StartAsync(3);
        using var iam = new IamQueryClient(nodes[0]);
        var (userArn, userKey, userSecret) = await iam.CreateUserWithKeyAsync("app");
        using var root2 = nodes[1].Client();
        using var root3 = nodes[2].Client();
        using var app1 = nodes[0].Kms(new BasicAWSCredentials(userKey, userSecret));
        var key = (await root2.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var encrypt = () => app1.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") });

        // A grant made on node 2 lets the user encrypt on node 1; revoked on node 3, node 1 refuses within a second.
        var grant = await root2.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = userArn, Operations = ["Encrypt"] });
        await encrypt();
        await root3.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = grant.GrantId });
        var took = await UntilRefusedAsync(encrypt, "AccessDeniedException");
        Assert.True(took < Coherence, $"node 1 took {took} to see the grant revoked");

        // A key policy naming the user, put on node 2, then replaced on node 3 by one that does not.
        var original = (await root2.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" })).Policy;
        var withUser = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{key.AWSAccountId}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"App","Effect":"Allow","Principal":{"AWS":"{{userArn}}"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        await root2.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = withUser });
        await WithinAsync(encrypt);
        await root3.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = original });
        took = await UntilRefusedAsync(encrypt, "AccessDeniedException");
        Assert.True(took < Coherence, $"node 1 took {took} to see the key policy changed");

        // And an IAM change: an inline user policy allowing Encrypt, put on node 1 and deleted on node 2 (through IAM).
        await iam.OkAsync("PutUserPolicy", ("UserName", "app"), ("PolicyName", "enc"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"""));
        await WithinAsync(encrypt);
        using var iam2 = new IamQueryClient(nodes[1]);
        await iam2.OkAsync("DeleteUserPolicy", ("UserName", "app"), ("PolicyName", "enc"));
        took = await UntilRefusedAsync(encrypt, "AccessDeniedException");
        Assert.True(took < Coherence, $"node 1 took {took} to see the user policy deleted");
    }

    /// <summary>Retries <paramref name="call"/> for up to a second (a change made on another node may take that long to arrive).</summary>
    private static async Task WithinAsync(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (AmazonKeyManagementServiceException) when (clock.Elapsed < Coherence)
            {
                await Task.Delay(10);
            }
        }
    }

    [Fact]
    public async Task Rotation_runs_on_the_leader_and_when_the_leader_dies_another_node_takes_over()
    {
        var interval = TimeSpan.FromMilliseconds(200);
        _nodes.Add(await TestServer.StartAsync(postgres: true, maintenanceInterval: interval));
        _nodes.Add(await TestServer.StartNodeAsync(_nodes[0], interval));
        _nodes.Add(await TestServer.StartNodeAsync(_nodes[0], interval));
        using var kms = _nodes[2].Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        var leader = await LeaderAsync(_nodes);
        _nodes[0].Clock.Advance(TimeSpan.FromDays(91)); // one clock for every node
        await RotationsAsync(kms, key.KeyId, 1);

        // The leader dies; a survivor takes the lock at its next pass and rotates the next time it is due.
        await leader.StopAsync();
        var survivors = _nodes.Where(n => n != leader).ToList();
        _nodes[0].Clock.Advance(TimeSpan.FromDays(91));
        using var survivor = survivors[0].Client();
        await RotationsAsync(survivor, key.KeyId, 2);
        Assert.Contains(await LeaderAsync(survivors), survivors);
    }

    /// <summary>The node holding leadership (asking a node that does not lead while another does changes nothing).</summary>
    private static async Task<TestServer> LeaderAsync(IReadOnlyList<TestServer> nodes)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (var node in nodes)
            {
                if (await node.Server.Backend.HoldsLeadershipAsync(CancellationToken.None))
                {
                    return node;
                }
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("No node leads.");
    }

    private static async Task RotationsAsync(AmazonKeyManagementServiceClient kms, string keyId, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var count = (await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations.Count;
            if (count == expected || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Equal(expected, count);
                return;
            }

            await Task.Delay(50);
        }
    }
}
