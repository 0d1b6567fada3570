using Amazon.KeyManagementService;
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

    [Fact]
    public async Task CreateKey_always_sets_kms_MultiRegion_and_sets_kms_MultiRegionKeyType_PRIMARY_for_a_multi_Region_key()
    {
        // AWS: every KMS key has a MultiRegion property, so kms:MultiRegion is "false" (not absent) for a plain CreateKey,
        // and kms:MultiRegionKeyType controls CreateKey too (PRIMARY for a new multi-Region key).
        using var iam = new IamQueryClient(fixture.Server);
        var (_, regionalKey, regionalSecret) = await iam.CreateUserWithKeyAsync("creator-regional-only",
            Policy(Statement("kms:CreateKey", """{"Bool":{"kms:MultiRegion":"false"}}""")));
        using var regionalOnly = fixture.Server.ClientIn(East, regionalKey, regionalSecret);
        Assert.False((await regionalOnly.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.MultiRegion);
        Assert.False((await regionalOnly.CreateKeyAsync(new CreateKeyRequest { MultiRegion = false })).KeyMetadata.MultiRegion);
        var denied = await KmsAssert.DeniedAsync(() => regionalOnly.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true }));
        Assert.Contains("kms:CreateKey", denied.Message);

        var (_, primaryKey, primarySecret) = await iam.CreateUserWithKeyAsync("creator-primary-only",
            Policy(Statement("kms:CreateKey", """{"StringEquals":{"kms:MultiRegionKeyType":"PRIMARY"}}""")));
        using var primaryOnly = fixture.Server.ClientIn(East, primaryKey, primarySecret);
        var created = (await primaryOnly.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        Assert.Equal(MultiRegionKeyType.PRIMARY, created.MultiRegionConfiguration.MultiRegionKeyType);
        await KmsAssert.DeniedAsync(() => primaryOnly.CreateKeyAsync(new CreateKeyRequest())); // a regional key has no key type
    }

    [Theory]
    [InlineData("US-EAST-1")]
    [InlineData("x")]
    [InlineData("")]
    [InlineData("abcdefghijklmnop-abcdefghijklmnop-1")] // matches the pattern, longer than 32 characters
    public async Task A_malformed_region_is_a_ValidationException_before_any_authorization_in_it(string malformed)
    {
        // model: PrimaryRegion and ReplicaRegion are RegionType (1–32 characters, ^([a-z]+-){2,3}\d+$); AWS checks the
        // model's constraints before it looks up keys or evaluates policies in a region.
        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });
        await KmsAssert.FailsAsync("ValidationException",
            () => InEast.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = malformed }));

        // A caller allowed kms:ReplicateKey but no kms:CreateKey anywhere: the request's error, not a denial in region `malformed`.
        using var iam = new IamQueryClient(fixture.Server);
        var (_, accessKey, secret) = await iam.CreateUserWithKeyAsync("replicator-no-create-" + primary.KeyId[4..12],
            Policy(Statement("kms:ReplicateKey", null), Statement("kms:UpdatePrimaryRegion", null)));
        using var replicator = fixture.Server.ClientIn(East, accessKey, secret);
        await KmsAssert.FailsAsync("ValidationException",
            () => replicator.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = malformed }));
        await KmsAssert.FailsAsync("ValidationException",
            () => replicator.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = malformed }));
        Assert.Equal(East, (await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration.PrimaryKey.Region);
    }

    private static string Statement(string action, string? condition) =>
        $$"""{"Effect":"Allow","Action":"{{action}}","Resource":"*"{{(condition is null ? "" : ",\"Condition\":" + condition)}}}""";

    private static string Policy(params string[] statements) => $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";
}
