using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;

namespace Keyhaven.Identity.Sessions;

/// <summary>
/// The session tags of a new role session, as AWS STS defines them: the tags the caller passes plus the transitive tags
/// its own session carries (role chaining), which a request may not override; the principal tags a request made with
/// the session sees are the role's tags with the session tags laid over them (session tags win, keys compared
/// ignoring case).
/// </summary>
/// <param name="Tags">Every session tag: passed now or inherited as transitive.</param>
/// <param name="TransitiveKeys">The keys of <paramref name="Tags"/> that pass on again when this session assumes a role.</param>
public sealed record SessionTags(IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<string> TransitiveKeys)
{
    /// <summary>AWS quota: 50 session tags, keys 1-128 and values 0-256 characters.</summary>
    public const int MaxTags = 50, MaxKeyLength = 128, MaxValueLength = 256;

    /// <summary>Validates <paramref name="input"/>'s tags and merges the transitive tags of <paramref name="caller"/> (none for a web identity).</summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>: a malformed, duplicate or overriding tag, or a transitive key that is not a tag.</exception>
    public static SessionTags For(IdentityPrincipal? caller, AssumeRoleInput input)
    {
        var tags = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in input.Tags)
        {
            if (key.Length is < 1 or > MaxKeyLength || value.Length > MaxValueLength || !key.All(IsTagCharacter) || !value.All(IsTagCharacter))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError,
                    $"Session tag `{key}` must have a key of 1 to {MaxKeyLength} and a value of at most {MaxValueLength} letters, digits, spaces or _.:/=+-@.");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Session tag keys may not begin with `aws:` (`{key}`).");
            }

            if (!seen.Add(key))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Duplicate session tag key `{key}`: tag keys are unique ignoring case.");
            }

            tags.Add(KeyValuePair.Create(key, value));
        }

        var transitive = new List<string>();
        foreach (var key in input.TransitiveTagKeys)
        {
            var tag = tags.FindIndex(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase));
            if (tag < 0)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Transitive tag key `{key}` is not one of the session tags passed.");
            }

            transitive.Add(tags[tag].Key);
        }

        foreach (var key in caller?.TransitiveTagKeys ?? [])
        {
            if (!caller!.SessionTags.TryGetValue(key, out var value))
            {
                continue; // INVARIANT: a session's transitive keys are keys of its session tags
            }

            if (!seen.Add(key))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError,
                    $"Session tag `{key}` is transitive in the calling session and cannot be overridden in the role chain.");
            }

            tags.Add(KeyValuePair.Create(key, value));
            transitive.Add(key);
        }

        if (tags.Count > MaxTags)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"A session may carry at most {MaxTags} tags ({tags.Count} with the transitive tags of the calling session).");
        }

        return new SessionTags(tags, transitive);
    }

    /// <summary>True when the request sets tags (passed or inherited): the trust policy must then allow <c>sts:TagSession</c>.</summary>
    public bool Any => Tags.Count > 0;

    /// <summary>The principal tags of the new session: <paramref name="roleTags"/> overlaid with the session tags.</summary>
    public Dictionary<string, string> OverRoleTags(IEnumerable<KeyValuePair<string, string>> roleTags)
    {
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in roleTags)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in Tags)
        {
            merged.Remove(key);
            merged[key] = value;
        }

        return merged;
    }

    // spec: STS API Reference, Tag: [\p{L}\p{Z}\p{N}_.:/=+\-@]*
    private static bool IsTagCharacter(char c) =>
        char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.SpaceSeparator
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
        || c is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@';
}
