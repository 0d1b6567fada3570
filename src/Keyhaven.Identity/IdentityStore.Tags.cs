using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>
    /// TagUser: adds or replaces tags on a user (keys compared ignoring case; at most 50 in all). The user's principal
    /// tags change for its next request: its resolved credentials are dropped from the cache.
    /// </summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>ValidationError</c>, <c>LimitExceeded</c>.</exception>
    public async Task TagUserAsync(AccountId account, string userName, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
    {
        var valid = IdentityValidation.Tags(tags);
        UserDocument? changed = null;
        await UpdateUserAsync(account, userName, user => { user.Tags = MergeTags(user.Tags, valid); changed = user; }, cancellationToken);
        ForgetCredentials(changed);
    }

    /// <summary>UntagUser: removes the tags with the given keys (ignoring case); absent keys are not an error.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>ValidationError</c>.</exception>
    public async Task UntagUserAsync(AccountId account, string userName, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        RequireTagKeys(keys);
        UserDocument? changed = null;
        await UpdateUserAsync(account, userName, user => { user.Tags = RemoveTags(user.Tags, keys); changed = user; }, cancellationToken);
        ForgetCredentials(changed);
    }

    /// <summary>ListUserTags.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ListUserTagsAsync(AccountId account, string userName, CancellationToken cancellationToken) =>
        (await RequireUserAsync(account, userName, cancellationToken)).Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).ToList();

    /// <summary>TagRole: adds or replaces tags on a role. Sessions keep the principal tags they were issued with, as AWS sessions do.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>ValidationError</c>, <c>LimitExceeded</c>.</exception>
    public Task TagRoleAsync(AccountId account, string roleName, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
    {
        var valid = IdentityValidation.Tags(tags);
        return UpdateRoleAsync(account, roleName, role => role.Tags = MergeTags(role.Tags, valid), cancellationToken);
    }

    /// <summary>UntagRole.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>ValidationError</c>.</exception>
    public Task UntagRoleAsync(AccountId account, string roleName, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        RequireTagKeys(keys);
        return UpdateRoleAsync(account, roleName, role => role.Tags = RemoveTags(role.Tags, keys), cancellationToken);
    }

    /// <summary>ListRoleTags.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ListRoleTagsAsync(AccountId account, string roleName, CancellationToken cancellationToken) =>
        (await RequireRoleAsync(account, roleName, cancellationToken)).Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).ToList();

    private static List<TagDocument> MergeTags(List<TagDocument> current, IReadOnlyList<KeyValuePair<string, string>> added)
    {
        var merged = current.Where(t => !added.Any(a => string.Equals(a.Key, t.Key, StringComparison.OrdinalIgnoreCase))).ToList();
        merged.AddRange(added.Select(a => new TagDocument { Key = a.Key, Value = a.Value }));
        if (merged.Count > 50)
        {
            throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Cannot exceed quota for TagsPerEntity: 50 (`{merged.Count}` tags after this change).");
        }

        return merged;
    }

    private static List<TagDocument> RemoveTags(List<TagDocument> current, IReadOnlyList<string> keys) =>
        current.Where(t => !keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToList();

    private static void RequireTagKeys(IReadOnlyList<string> keys)
    {
        if (keys.Count is < 1 or > 50 || keys.Any(k => k.Length is < 1 or > 128))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "Give 1 to 50 tag keys of 1 to 128 characters.");
        }
    }

    private void ForgetCredentials(UserDocument? user)
    {
        foreach (var accessKeyId in user?.AccessKeyIds ?? [])
        {
            Revoke(accessKeyId); // drops the resolved credential here and in the server's key cache; the key stays valid
        }
    }
}
