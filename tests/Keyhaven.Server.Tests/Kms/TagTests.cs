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
}
