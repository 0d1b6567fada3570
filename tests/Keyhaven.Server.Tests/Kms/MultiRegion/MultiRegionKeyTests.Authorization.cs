using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Kms.MultiRegion.MultiRegionFixture;

namespace Keyhaven.Server.Tests.Kms.MultiRegion;

/// <summary>
/// AWS: ReplicateKey needs kms:ReplicateKey on the primary and kms:CreateKey in the replica region; UpdatePrimaryRegion
/// needs kms:UpdatePrimaryRegion on both keys; kms:MultiRegion, kms:MultiRegionKeyType, kms:ReplicaRegion and
/// kms:PrimaryRegion are condition keys.
/// </summary>
public sealed partial class MultiRegionKeyTests
{
    [Fact]
    public async Task ReplicateKey_needs_ReplicateKey_on_the_primary_and_CreateKey_in_the_replica_region()
    {
        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        using var iam = new IamQueryClient(fixture.Server);

        // CreateKey allowed only in the primary's region: the replica cannot be made.
        var (_, eastOnlyKey, eastOnlySecret) = await iam.CreateUserWithKeyAsync("replicator-east-only", Policy(
            Statement("kms:ReplicateKey", null),
            Statement("kms:CreateKey", """{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}""")));
        using var eastOnly = fixture.Server.ClientIn(East, eastOnlyKey, eastOnlySecret);
        var denied = await KmsAssert.DeniedAsync(() => eastOnly.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West }));
        Assert.Contains("kms:CreateKey", denied.Message);

        // ReplicateKey allowed for one replica region only (kms:ReplicaRegion), CreateKey of replicas (kms:MultiRegionKeyType) anywhere.
        var (_, westKey, westSecret) = await iam.CreateUserWithKeyAsync("replicator-west", Policy(
            Statement("kms:ReplicateKey", """{"StringEquals":{"kms:ReplicaRegion":"eu-west-1","kms:MultiRegionKeyType":"PRIMARY"},"Bool":{"kms:MultiRegion":"true"}}"""),
            Statement("kms:CreateKey", """{"StringEquals":{"kms:MultiRegionKeyType":"REPLICA"},"Bool":{"kms:MultiRegion":"true"}}""")));
        using var replicator = fixture.Server.ClientIn(East, westKey, westSecret);
        denied = await KmsAssert.DeniedAsync(() => replicator.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South }));
        Assert.Contains("kms:ReplicateKey", denied.Message);
        var replica = (await replicator.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West })).ReplicaKeyMetadata;
        Assert.Equal(West, replica.Arn.Split(':')[3]);

        // Tagging the replica needs kms:TagResource there too.
        var other = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await KmsAssert.DeniedAsync(() => replicator.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = other.KeyId, ReplicaRegion = West, Tags = [new Tag { TagKey = "team", TagValue = "a" }],
        }));
        Assert.Empty((await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = other.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys ?? []);
    }

    [Fact]
    public async Task UpdatePrimaryRegion_needs_permission_on_the_primary_and_on_the_replica()
    {
        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        using var iam = new IamQueryClient(fixture.Server);
        var (userArn, accessKey, secret) = await iam.CreateUserWithKeyAsync("primary-mover-" + primary.KeyId[4..12],
            Policy(Statement("kms:UpdatePrimaryRegion", """{"StringEquals":{"kms:PrimaryRegion":"eu-west-1"}}""")));
        // The replica in the south refuses the user in its own key policy.
        var southPolicy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{primary.AWSAccountId}}:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":{"AWS":"{{userArn}}"},"Action":"kms:UpdatePrimaryRegion","Resource":"*"}]}
            """;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South, Policy = southPolicy });
        using var mover = fixture.Server.ClientIn(East, accessKey, secret);

        await KmsAssert.DeniedAsync(() => mover.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = South }));
        await mover.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = West });
        Assert.Equal(West, (await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration.PrimaryKey.Region);
    }

    private static string Statement(string action, string? condition) =>
        $$"""{"Effect":"Allow","Action":"{{action}}","Resource":"*"{{(condition is null ? "" : ",\"Condition\":" + condition)}}}""";

    private static string Policy(params string[] statements) => $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";
}
