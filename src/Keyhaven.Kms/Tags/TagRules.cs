using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tags;

/// <summary>Tag limits as AWS KMS documents them: keys 1–128 characters, values up to 256, at most 50 per key, no <c>aws:</c> prefix.</summary>
public static class TagRules
{
    public const int MaxTagsPerKey = 50;

    public static void Validate(IReadOnlyList<KeyTag> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key.Length is 0 or > 128)
            {
                KmsErrors.Validation("tags.member.tagKey", "Member must have length between 1 and 128");
            }

            if (tag.Value.Length > 256)
            {
                KmsErrors.Validation("tags.member.tagValue", "Member must have length less than or equal to 256");
            }

            if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                KmsErrors.Throw(KmsErrorCode.TagException, $"Tag key `{tag.Key}` uses the reserved prefix `aws:`.");
            }
        }
    }

    /// <summary>Adds or replaces tags by key.</summary>
    public static KmsKey Apply(KmsKey key, IReadOnlyList<KeyTag> tags)
    {
        Validate(tags);
        var merged = key.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            merged[tag.Key] = tag.Value;
        }

        if (merged.Count > MaxTagsPerKey)
        {
            KmsErrors.Throw(KmsErrorCode.TagException, $"A key may have at most {MaxTagsPerKey} tags.");
        }

        return key with { Tags = [.. merged.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new KeyTag(t.Key, t.Value))] };
    }
}
