using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tags;

/// <summary>TagResource, UntagResource and ListResourceTags.</summary>
public sealed class TagManager(KeyManager keyManager, KeyResolver resolver)
{
    public Task<KmsKey> TagAsync(KmsCaller caller, string? keyId, IReadOnlyList<KeyTag> tags, CancellationToken cancellationToken) =>
        keyManager.ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            return TagRules.Apply(key, tags);
        }, cancellationToken);

    public Task<KmsKey> UntagAsync(KmsCaller caller, string? keyId, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken) =>
        keyManager.ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            return key with { Tags = [.. key.Tags.Where(t => !tagKeys.Contains(t.Key, StringComparer.Ordinal))] };
        }, cancellationToken);

    public async Task<Page<KeyTag>> ListAsync(KmsCaller caller, string? keyId, int limit, string? marker, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        var start = 0;
        if (marker is not null && (!int.TryParse(marker, System.Globalization.CultureInfo.InvariantCulture, out start) || start < 0 || start > key.Tags.Length))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        var items = key.Tags.Skip(start).Take(limit).ToList();
        var next = start + limit < key.Tags.Length ? (start + limit).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new Page<KeyTag>(items, next);
    }
}
