namespace Keyhaven.Policy.Context;

/// <summary>
/// The request context: condition keys and their values. Implementations must look keys up
/// case-insensitively (condition key names, including tag keys, are case-insensitive in IAM) and must not
/// allocate per lookup.
/// </summary>
public interface IRequestContext
{
    /// <summary>Looks up <paramref name="key"/> case-insensitively.</summary>
    bool TryGetValues(string key, out ContextValues values);
}
