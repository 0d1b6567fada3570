using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Governance;

/// <summary>
/// A principal governance analysis evaluates: an account root, an IAM user, a role (as a session of the role) or a
/// federated group mapped to a role (as a web-identity session of that role).
/// </summary>
/// <param name="Arn">The root's, user's or role's ARN.</param>
/// <param name="Type"><c>Root</c>, <c>IAMUser</c>, <c>Role</c> or <c>FederatedGroup</c>.</param>
/// <param name="Account">The principal's account.</param>
/// <param name="Via">For a federated group: <c>group `G` of `PROVIDER`</c>; else null.</param>
public sealed record AnalyzedPrincipal(string Arn, string Type, string Account, string? Via)
{
    /// <summary>The caller the authorizer sees for this principal.</summary>
    internal CallerIdentity Caller { get; init; } = null!;

    /// <summary>The ARN, with the federated group for a federated principal.</summary>
    public string Display => Via is null ? Arn : $"{Arn} ({Via})";

    public bool IsRoot => Type == "Root";
}
