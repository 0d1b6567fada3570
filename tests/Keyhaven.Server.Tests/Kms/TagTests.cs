using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>TagResource, UntagResource, ListResourceTags through the AWS SDK.</summary>
public sealed class TagTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Fact]
    public async Task Tags_are_added_replaced_listed_and_removed_by_key()
    {
        var keyId = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await Kms.TagResourceAsync(new TagResourceRequest
        {
            KeyId = keyId, Tags = [new Tag { TagKey = "env", TagValue = "dev" }, new Tag { TagKey = "team", TagValue = "a" }],
        });
        await Kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "env", TagValue = "prod" }] });
        var tags = await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId });
        Assert.Equal(["env=prod", "team=a"], tags.Tags.Select(t => $"{t.TagKey}={t.TagValue}"));

        await Kms.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["env"] });
        tags = await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId });
        Assert.Equal("team", Assert.Single(tags.Tags).TagKey);
    }

    [Fact]
    public async Task Tag_keys_with_the_aws_prefix_are_TagException()
    {
        // AWS: the aws: prefix is reserved for tags that AWS creates.
        var keyId = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await Assert.ThrowsAsync<TagException>(() =>
            Kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "aws:owner", TagValue = "x" }] }));
    }

    [Fact]
    public async Task A_key_holds_at_most_50_tags()
    {
        var keyId = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var tags = Enumerable.Range(0, 50).Select(i => new Tag { TagKey = $"k{i}", TagValue = "v" }).ToList();
        await Kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = tags });
        await Assert.ThrowsAsync<TagException>(() =>
            Kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "one-more", TagValue = "v" }] }));

        var all = new List<Tag>();
        string? marker = null;
        do
        {
            var page = await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId, Limit = 20, Marker = marker });
            all.AddRange(page.Tags);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        Assert.Equal(50, all.Count);
    }

    [Fact]
    public async Task A_tag_without_a_TagValue_or_TagKey_is_ValidationException_and_nothing_changes()
    {
        // spec: kms/2014-11-01 Tag: TagKey and TagValue are required members.
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var noValue = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = "team" }] }));
        Assert.Equal("ValidationException", noValue.ErrorCode);
        Assert.Contains("Member must not be null", noValue.Message);
        var noKey = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagValue = "a" }] }));
        Assert.Equal("ValidationException", noKey.ErrorCode);
        Assert.Empty((await Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId })).Tags);

        var create = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.CreateKeyAsync(new CreateKeyRequest { Description = "untagged-" + key.KeyId, Tags = [new Tag { TagKey = "team" }] }));
        Assert.Equal("ValidationException", create.ErrorCode);
    }

    [Fact]
    public async Task A_null_tag_is_ValidationException_not_a_server_error()
    {
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var raw = new RawKmsClient(fixture.Server);
        var tagged = await raw.SendAsync("TrentService.TagResource", $$"""{"KeyId":"{{key.KeyId}}","Tags":[null]}""");
        Assert.Equal((400, "ValidationException"), (tagged.Status, tagged.ErrorType));
        Assert.Contains("Member must not be null", tagged.Message);
        var created = await raw.SendAsync("TrentService.CreateKey", """{"Tags":[{"TagKey":"a","TagValue":"b"},null]}""");
        Assert.Equal((400, "ValidationException"), (created.Status, created.ErrorType));
    }

    [Fact]
    public async Task A_KeyId_over_2048_characters_is_ValidationException()
    {
        // spec: kms/2014-11-01 KeyIdType: length 1 to 2048.
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = new string('a', 2049) }));
        Assert.Equal("ValidationException", error.ErrorCode);
        var described = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/" + new string('a', 2043) }));
        Assert.Equal("ValidationException", described.ErrorCode);
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = new string('a', 2048) }));
    }
}
