using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Kms.MultiRegion.MultiRegionFixture;

namespace Keyhaven.Server.Tests.Kms.MultiRegion;

/// <summary>
/// Regional keys and multi-Region keys through AWSSDK clients signing for different regions of one server: keys live
/// in one region; a multi-Region key's replicas share its id and material, so data protected in one region is
/// opened in another.
/// </summary>
public sealed partial class MultiRegionKeyTests(MultiRegionFixture fixture) : IClassFixture<MultiRegionFixture>
{
    private AmazonKeyManagementServiceClient InEast => fixture.InEast;
    private AmazonKeyManagementServiceClient InWest => fixture.InWest;
    private AmazonKeyManagementServiceClient InSouth => fixture.InSouth;

    [Fact]
    public async Task A_regional_key_lives_in_the_region_of_the_request_that_made_it()
    {
        var key = (await InEast.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        Assert.StartsWith($"arn:aws:kms:{East}:", key.Arn);
        Assert.False(key.MultiRegion);
        Assert.Null(key.MultiRegionConfiguration);
        await InEast.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/east-only", TargetKeyId = key.KeyId });
        var ciphertext = (await InEast.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = KmsAssert.Bytes("regional") })).CiphertextBlob.ToArray();

        // AWS: keys and aliases are regional; another region does not know the id, the alias or the ciphertext.
        await Assert.ThrowsAsync<NotFoundException>(() => InWest.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<NotFoundException>(() => InWest.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/east-only" }));
        await Assert.ThrowsAsync<NotFoundException>(() => InWest.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }));
        await Assert.ThrowsAsync<NotFoundException>(() => InWest.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = KmsAssert.Bytes("x") }));
        Assert.DoesNotContain((await InWest.ListKeysAsync(new ListKeysRequest())).Keys ?? [], k => k.KeyId == key.KeyId);
        Assert.Contains((await InEast.ListKeysAsync(new ListKeysRequest())).Keys, k => k.KeyArn == key.Arn);
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => InWest.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
    }

    [Fact]
    public async Task A_request_signed_for_a_region_the_server_does_not_serve_is_refused()
    {
        using var elsewhere = fixture.Server.ClientIn("sa-east-1");
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => elsewhere.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("InvalidSignatureException", error.ErrorCode);
    }

    [Fact]
    public async Task CreateKey_with_MultiRegion_makes_a_primary_key_with_an_mrk_id()
    {
        var key = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "primary" })).KeyMetadata;

        Assert.Matches("^mrk-[0-9a-f]{32}$", key.KeyId);
        Assert.Equal($"arn:aws:kms:{East}:{key.AWSAccountId}:key/{key.KeyId}", key.Arn);
        Assert.True(key.MultiRegion);
        Assert.Equal(MultiRegionKeyType.PRIMARY, key.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(key.Arn, key.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(East, key.MultiRegionConfiguration.PrimaryKey.Region);
        Assert.Empty(key.MultiRegionConfiguration.ReplicaKeys ?? []);
        var described = (await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn })).KeyMetadata;
        Assert.Equal(MultiRegionKeyType.PRIMARY, described.MultiRegionConfiguration.MultiRegionKeyType);
    }

    [Fact]
    public async Task ReplicateKey_makes_a_replica_with_the_same_id_and_its_own_policy_tags_and_description()
    {
        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "primary",
            Tags = [new Tag { TagKey = "side", TagValue = "primary" }] })).KeyMetadata;
        var policy = DefaultPolicyFor(primary.AWSAccountId, "replica-policy");

        var replicated = await InEast.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = primary.KeyId, ReplicaRegion = West, Description = "replica", Policy = policy, Tags = [new Tag { TagKey = "side", TagValue = "replica" }],
        });

        var replica = replicated.ReplicaKeyMetadata;
        Assert.Equal(primary.KeyId, replica.KeyId);
        Assert.Equal($"arn:aws:kms:{West}:{primary.AWSAccountId}:key/{primary.KeyId}", replica.Arn);
        Assert.Equal(KeyState.Enabled, replica.KeyState);
        Assert.Equal("replica", replica.Description);
        Assert.Equal(primary.KeySpec, replica.KeySpec);
        Assert.Equal(primary.CurrentKeyMaterialId, replica.CurrentKeyMaterialId);
        Assert.Equal(MultiRegionKeyType.REPLICA, replica.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(primary.Arn, replica.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(replica.Arn, Assert.Single(replica.MultiRegionConfiguration.ReplicaKeys).Arn);
        Assert.Equal(policy, replicated.ReplicaPolicy);
        Assert.Equal("replica", Assert.Single(replicated.ReplicaTags).TagValue);

        // The replica is a key of its own in its region: own policy, tags and description; the primary lists it.
        Assert.Equal(policy, (await InWest.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = primary.KeyId, PolicyName = "default" })).Policy);
        Assert.NotEqual(policy, (await InEast.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = primary.KeyId, PolicyName = "default" })).Policy);
        Assert.Equal("replica", Assert.Single((await InWest.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = primary.KeyId })).Tags).TagValue);
        Assert.Equal("primary", Assert.Single((await InEast.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = primary.KeyId })).Tags).TagValue);
        var fromPrimary = (await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration;
        Assert.Equal(MultiRegionKeyType.PRIMARY, fromPrimary.MultiRegionKeyType);
        Assert.Equal(West, Assert.Single(fromPrimary.ReplicaKeys).Region);
        Assert.Contains((await InWest.ListKeysAsync(new ListKeysRequest())).Keys, k => k.KeyArn == replica.Arn);
        await InWest.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId });
        Assert.Equal(KeyState.Enabled, (await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
        Assert.Equal(KeyState.Disabled, (await InWest.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task A_ciphertext_made_in_one_region_decrypts_with_the_related_key_in_another()
    {
        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.Arn, ReplicaRegion = West });
        var context = new Dictionary<string, string> { ["purpose"] = "mrk" };

        var fromEast = (await InEast.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("east to west"), EncryptionContext = context })).CiphertextBlob.ToArray();
        var openedInWest = await InWest.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromEast), EncryptionContext = context });
        Assert.Equal("east to west", System.Text.Encoding.UTF8.GetString(openedInWest.Plaintext.ToArray()));
        Assert.Equal($"arn:aws:kms:{West}:{primary.AWSAccountId}:key/{primary.KeyId}", openedInWest.KeyId);
        var withKeyId = await InWest.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromEast), EncryptionContext = context, KeyId = primary.KeyId });
        Assert.Equal("east to west", System.Text.Encoding.UTF8.GetString(withKeyId.Plaintext.ToArray()));

        var fromWest = (await InWest.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("west to east"), EncryptionContext = context })).CiphertextBlob.ToArray();
        var openedInEast = await InEast.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromWest), EncryptionContext = context });
        Assert.Equal("west to east", System.Text.Encoding.UTF8.GetString(openedInEast.Plaintext.ToArray()));

        // Still authenticated: a changed encryption context fails, and a region without a related key does not open it.
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => InWest.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromEast) }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => InSouth.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(fromEast), EncryptionContext = context }));

        // A data key made in one region is decrypted in the other (the envelope encryption case multi-Region keys exist for).
        var dataKey = await InWest.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = primary.KeyId, KeySpec = DataKeySpec.AES_256 });
        var reopened = await InEast.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(dataKey.Plaintext.ToArray(), reopened.Plaintext.ToArray());
    }

    [Fact]
    public async Task Signatures_and_macs_of_multi_Region_keys_verify_in_every_related_region()
    {
        var signing = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = signing.KeyId, ReplicaRegion = South });
        var message = KmsAssert.Bytes("signed in the east");
        var signature = (await InEast.SignAsync(new SignRequest { KeyId = signing.KeyId, Message = message, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256 })).Signature;
        var verified = await InSouth.VerifyAsync(new VerifyRequest
        {
            KeyId = signing.KeyId, Message = KmsAssert.Bytes("signed in the east"), Signature = signature, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        });
        Assert.True(verified.SignatureValid);
        Assert.Equal(
            (await InEast.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing.KeyId })).PublicKey.ToArray(),
            (await InSouth.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing.KeyId })).PublicKey.ToArray());

        var hmac = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = hmac.KeyId, ReplicaRegion = West });
        var mac = (await InWest.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 })).Mac;
        Assert.True((await InEast.VerifyMacAsync(new VerifyMacRequest { KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), Mac = mac, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 })).MacValid);
    }

    [Fact]
    public async Task ReplicateKey_refuses_what_AWS_refuses()
    {
        var regional = (await InEast.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = regional.KeyId, ReplicaRegion = West }));

        var primary = (await InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });
        // One related key per region (the primary's region included).
        await Assert.ThrowsAsync<AlreadyExistsException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West }));
        await Assert.ThrowsAsync<AlreadyExistsException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = East }));
        // Only the primary is replicated.
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => InWest.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South }));
        // Regions: well-formed, and served by this deployment.
        var malformed = string.Concat("Not ", "A Region"); // not a literal: the SDK's analyzer checks literals against the model's pattern
        await KmsAssert.FailsAsync("ValidationException", () => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = malformed }));
        var unserved = await Assert.ThrowsAsync<UnsupportedOperationException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "sa-east-1" }));
        Assert.Contains("sa-east-1", unserved.Message);
        // A disabled primary is not replicated.
        await InEast.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId });
        await Assert.ThrowsAsync<DisabledException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South }));
        // A replica policy that would lock the caller out is refused, as CreateKey's would be.
        await InEast.EnableKeyAsync(new EnableKeyRequest { KeyId = primary.KeyId });
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => InEast.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = primary.KeyId, ReplicaRegion = South,
            Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""",
        }));
        Assert.Single((await InEast.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task CreateKey_refuses_multi_Region_keys_with_imported_material()
    {
        var error = await Assert.ThrowsAsync<UnsupportedOperationException>(() => InEast.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Origin = OriginType.EXTERNAL }));
        Assert.Contains("AWS_KMS", error.Message);
    }

    private static string DefaultPolicyFor(string account, string sid) =>
        $$"""{"Version":"2012-10-17","Id":"{{sid}}","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"kms:*","Resource":"*"}]}""";
}
