using Keyhaven.Policy.Context;

namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// Everything the engine needs to decide one request: who, what, on which resource, and the request context.
/// The engine reads nothing else (no clock, no I/O): time-based keys such as <c>aws:CurrentTime</c> must be in
/// <see cref="Context"/>.
/// </summary>
/// <remarks>Immutable; may be evaluated concurrently against several policy sets.</remarks>
public sealed class AuthorizationRequest
{
    /// <summary>The caller.</summary>
    public required PrincipalIdentity Principal { get; init; }

    /// <summary>The action, <c>service:Operation</c> (e.g. <c>kms:Decrypt</c>).</summary>
    public required string Action { get; init; }

    /// <summary>The resource acted on.</summary>
    public required RequestResource Resource { get; init; }

    /// <summary>The condition keys of the request. Missing keys simply do not exist.</summary>
    public IRequestContext Context { get; init; } = RequestContext.Empty;

    /// <summary>
    /// The KMS encryption context of the request, with case-sensitive keys, used to check grant constraints.
    /// Null when the operation has none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? EncryptionContext { get; init; }

    /// <summary>
    /// Looks a condition key up in <see cref="Context"/>; when absent, falls back to the keys the engine can derive from
    /// the request itself: <c>aws:PrincipalArn</c>, <c>aws:PrincipalAccount</c>, <c>aws:PrincipalType</c>,
    /// <c>aws:username</c>, <c>aws:ResourceAccount</c>, <c>kms:CallerAccount</c>.
    /// </summary>
    public bool TryGetValues(string key, out ContextValues values)
    {
        if (Context.TryGetValues(key, out values))
        {
            return true;
        }

        string? derived = DeriveKey(key);
        if (derived is null)
        {
            return false;
        }

        values = new ContextValues(derived);
        return true;
    }

    /// <summary>Resolves a policy variable: the key must have exactly one value.</summary>
    internal bool TryGetSingleValue(string key, out string value)
    {
        if (TryGetValues(key, out var values) && values.Count == 1)
        {
            value = values[0];
            return true;
        }

        value = string.Empty;
        return false;
    }

    private string? DeriveKey(string key)
    {
        if (key.Length < 12)
        {
            return null;
        }

        var p = Principal;
        if (key.Equals("aws:PrincipalArn", StringComparison.OrdinalIgnoreCase))
        {
            return p.Type is PrincipalType.Anonymous or PrincipalType.Service or PrincipalType.FederatedProvider ? null : p.PrincipalArnKeyValue;
        }

        if (key.Equals("aws:PrincipalAccount", StringComparison.OrdinalIgnoreCase) || key.Equals("kms:CallerAccount", StringComparison.OrdinalIgnoreCase))
        {
            return p.Account.IsEmpty ? null : p.Account.Value;
        }

        if (key.Equals("aws:PrincipalType", StringComparison.OrdinalIgnoreCase))
        {
            return p.PrincipalTypeKeyValue;
        }

        if (key.Equals("aws:username", StringComparison.OrdinalIgnoreCase))
        {
            return p.UserName;
        }

        if (key.Equals("aws:ResourceAccount", StringComparison.OrdinalIgnoreCase))
        {
            return Resource.Account.IsEmpty ? null : Resource.Account.Value;
        }

        return null;
    }
}
