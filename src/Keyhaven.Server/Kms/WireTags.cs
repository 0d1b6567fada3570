using Keyhaven.Kms;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms;

/// <summary>The <c>Tags</c> member of CreateKey, ReplicateKey and TagResource, read into domain tags.</summary>
internal static class WireTags
{
    /// <summary>
    /// The tags of a request; null stays null. A tag, TagKey or TagValue that is missing answers ValidationException,
    /// as the model requires both members (<c>Tag</c>: <c>TagKey</c> and <c>TagValue</c> are required).
    /// </summary>
    // spec: kms/2014-11-01 Tag ("required": ["TagKey", "TagValue"])
    public static List<KeyTag>? ToKeyTags(IReadOnlyList<TagModel?>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        var result = new List<KeyTag>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var member = $"tags.{i + 1}.member";
            var tag = tags[i] ?? NotNull<TagModel>(member);
            result.Add(new KeyTag(tag.TagKey ?? NotNull<string>(member + ".tagKey"), tag.TagValue ?? NotNull<string>(member + ".tagValue")));
        }

        return result;
    }

    private static T NotNull<T>(string member) => throw new KmsException(KmsErrorCode.ValidationException,
        $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");
}
