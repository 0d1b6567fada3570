namespace Keyhaven.Identity.Policies;

/// <summary>
/// What the identity layer contributes to one principal's authorization: its identity-based policies (inline and
/// attached managed policies of the user and its groups, or of the role for a role session), its permissions boundary
/// and its session policy.
/// </summary>
/// <param name="Policies">Inline policies (by name) and managed policies (by ARN, default version); empty for the account root.</param>
/// <param name="PermissionsBoundaryArn">The boundary's managed-policy ARN, or null when there is none.</param>
/// <param name="PermissionsBoundary">
/// The boundary's document, or null. When <paramref name="PermissionsBoundaryArn"/> is set but this is null the boundary
/// could not be resolved (the managed policy was deleted): the authorizer must deny (fail closed).
/// </param>
/// <param name="SessionPolicy">The inline session policy passed to AssumeRole, or null.</param>
/// <param name="PrincipalExists">False when the user or role behind the credential has been deleted: deny.</param>
public sealed record IdentityPolicies(
    IReadOnlyList<NamedPolicy> Policies,
    string? PermissionsBoundaryArn,
    NamedPolicy? PermissionsBoundary,
    NamedPolicy? SessionPolicy,
    bool PrincipalExists)
{
    /// <summary>The account root: no identity policies, no boundary, no session policy (its identity path is implicitly allowed).</summary>
    public static IdentityPolicies Root { get; } = new([], null, null, null, true);
}
