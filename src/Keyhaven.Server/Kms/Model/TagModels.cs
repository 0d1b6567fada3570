// Wire shapes of the tag operations (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record TagResourceRequest(string? KeyId, List<TagModel>? Tags);

internal sealed record UntagResourceRequest(string? KeyId, List<string>? TagKeys);

internal sealed record ListResourceTagsRequest(string? KeyId, int? Limit, string? Marker);

internal sealed record ListResourceTagsResponse(List<TagModel> Tags, string? NextMarker, bool Truncated);
