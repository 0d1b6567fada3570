using Keyhaven.Kms;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>TagResource, UntagResource, ListResourceTags.</summary>
internal static class TagHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<TagResourceRequest, EmptyResponse>("TagResource", c.TagResourceRequest, c.EmptyResponse,
            r => KmsAccess.Key("TagResource", r.KeyId, context: KmsContext.ForTags(r.Tags)),
            async (caller, r, ct) =>
        {
            var tags = WireTags.ToKeyTags(r.Tags) ?? [];
            await kms.TagManager.TagAsync(caller, r.KeyId, tags, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<UntagResourceRequest, EmptyResponse>("UntagResource", c.UntagResourceRequest, c.EmptyResponse,
            r => KmsAccess.Key("UntagResource", r.KeyId, context: KmsContext.ForTagKeys(r.TagKeys)),
            async (caller, r, ct) =>
        {
            await kms.TagManager.UntagAsync(caller, r.KeyId, r.TagKeys ?? [], ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<ListResourceTagsRequest, ListResourceTagsResponse>("ListResourceTags", c.ListResourceTagsRequest, c.ListResourceTagsResponse,
            r => KmsAccess.Key("ListResourceTags", r.KeyId),
            async (caller, r, ct) =>
        {
            var page = await kms.TagManager.ListAsync(caller, r.KeyId, Paging.Limit(r.Limit, 50, whenAbsent: 50), Paging.Marker(r.Marker), ct);
            return new ListResourceTagsResponse([.. page.Items.Select(t => new TagModel(t.Key, t.Value))], page.NextMarker, page.Truncated);
        });
    }
}
