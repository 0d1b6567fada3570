using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription through the AWS SDK.</summary>
public sealed partial class KeyLifecycleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private async Task<KeyMetadata> NewKeyAsync(string description = "")
    {
        var response = await Kms.CreateKeyAsync(new CreateKeyRequest { Description = description });
        return response.KeyMetadata;
    }

    [Fact]
    public async Task CreateKey_returns_symmetric_metadata_as_aws_documents_it()
    {
        var before = DateTime.UtcNow.AddSeconds(-5);
        var response = await Kms.CreateKeyAsync(new CreateKeyRequest
        {
            Description = "orders",
            Tags = [new Tag { TagKey = "team", TagValue = "payments" }],
        });

        var metadata = response.KeyMetadata;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", metadata.KeyId);
        Assert.Equal($"arn:aws:kms:us-east-1:{metadata.AWSAccountId}:key/{metadata.KeyId}", metadata.Arn);
        Assert.Matches("^[0-9]{12}$", metadata.AWSAccountId);
        Assert.Equal("orders", metadata.Description);
        Assert.True(metadata.Enabled);
        Assert.Equal(KeyState.Enabled, metadata.KeyState);
        Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, metadata.KeySpec);
        Assert.Equal(KeyUsageType.ENCRYPT_DECRYPT, metadata.KeyUsage);
        Assert.Equal(OriginType.AWS_KMS, metadata.Origin);
        Assert.Equal(KeyManagerType.CUSTOMER, metadata.KeyManager);
        Assert.Equal(["SYMMETRIC_DEFAULT"], metadata.EncryptionAlgorithms);
        Assert.False(metadata.MultiRegion);
        Assert.InRange(metadata.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(5));
        var tags = await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = metadata.KeyId });
        Assert.Equal("payments", Assert.Single(tags.Tags).TagValue);
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", true)]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC", false)]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY", false)]
    [InlineData("ECC_NIST_P256", "KEY_AGREEMENT", false)]
    public async Task CurrentKeyMaterialId_is_shown_only_for_symmetric_encryption_keys(string spec, string usage, bool shown)
    {
        // model: KeyMetadata.CurrentKeyMaterialId "is present for symmetric encryption keys with AWS_KMS or EXTERNAL origin"
        // (EXTERNAL: ImportKeyMaterialTests).
        var created = (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata;
        var described = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyId })).KeyMetadata;

        Assert.Equal(shown, created.CurrentKeyMaterialId is not null);
        Assert.Equal(shown, described.CurrentKeyMaterialId is not null);
    }

    [Theory]
    [InlineData("SM2", typeof(UnsupportedOperationException))]
    [InlineData("NOT_A_SPEC", typeof(AmazonKeyManagementServiceException))]
    public async Task CreateKey_refuses_key_specs_Keyhaven_does_not_make(string spec, Type expected)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec }));
        Assert.IsAssignableFrom(expected, error);
    }

    [Fact]
    public async Task DescribeKey_finds_a_key_by_id_arn_alias_name_and_alias_arn()
    {
        var key = await NewKeyAsync();
        var alias = "alias/describe-" + Guid.NewGuid().ToString("N");
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        var aliasArn = $"arn:aws:kms:us-east-1:{key.AWSAccountId}:{alias}";

        foreach (var identifier in new[] { key.KeyId, key.Arn, alias, aliasArn })
        {
            var found = await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = identifier });
            Assert.Equal(key.KeyId, found.KeyMetadata.KeyId);
        }
    }

    [Theory]
    [InlineData("not-a-key-id")]
    [InlineData("11111111-2222-4333-8444-555555555555")]
    [InlineData("alias/does-not-exist")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555")]
    public async Task DescribeKey_of_a_missing_or_malformed_key_is_NotFoundException(string identifier)
    {
        // AWS KMS answers NotFoundException both for ids that do not exist and for ids it cannot parse.
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = identifier }));
    }

    [Fact]
    public async Task ListKeys_pages_with_Limit_and_Marker_until_every_key_is_seen()
    {
        var created = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await NewKeyAsync()).KeyId);
        }

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await Kms.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = marker });
            Assert.True(page.Keys.Count <= 2);
            seen.AddRange(page.Keys.Select(k => k.KeyId));
            Assert.All(page.Keys, k => Assert.EndsWith(k.KeyId, k.KeyArn));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        Assert.Subset(seen.ToHashSet(), created);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_disabled_key_refuses_cryptography_with_DisabledException_and_works_again_once_enabled()
    {
        var key = await NewKeyAsync();
        var ciphertext = await EncryptAsync(key.KeyId, "before");
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var described = await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.Disabled, described.KeyMetadata.KeyState);
        Assert.False(described.KeyMetadata.Enabled);
        await Assert.ThrowsAsync<DisabledException>(() => EncryptAsync(key.KeyId, "x"));
        await Assert.ThrowsAsync<DisabledException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
        await Assert.ThrowsAsync<DisabledException>(() => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }));

        await Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        var plaintext = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
        Assert.Equal("before", System.Text.Encoding.UTF8.GetString(plaintext.Plaintext.ToArray()));
    }

    [Fact]
    public async Task EnableKey_and_DisableKey_take_a_key_id_or_arn_but_not_an_alias()
    {
        var key = await NewKeyAsync();
        var alias = "alias/enable-" + Guid.NewGuid().ToString("N");
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Arn });
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = alias }));
        await Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
    }

    [Fact]
    public async Task UpdateKeyDescription_changes_the_description_and_checks_its_length()
    {
        var key = await NewKeyAsync("old");
        await Kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "new" });
        Assert.Equal("new", (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.Description);

        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = new string('d', 8193) }));
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    private async Task<byte[]> EncryptAsync(string keyId, string text)
    {
        var response = await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
        return response.CiphertextBlob.ToArray();
    }
}
