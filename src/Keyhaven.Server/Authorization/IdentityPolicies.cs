namespace Keyhaven.Server.Authorization;

/// <summary>Named identity policy documents, the permissions boundary (or null) and the session policy (or null), as JSON.</summary>
internal sealed record IdentityPolicies(IReadOnlyList<KeyValuePair<string, string>> Policies, string? PermissionsBoundary, string? SessionPolicy)
{
    public static readonly IdentityPolicies None = new([], null, null);
}
