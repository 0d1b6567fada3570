using Keyhaven.Policy.Arns;

namespace Keyhaven.Identity.Organizations;

/// <summary>
/// What an account's place in the organization contributes to authorization: SCP and RCP levels (root first, then
/// each OU from the top, then the account), the management account (exempt from both) and the org paths for
/// <c>aws:PrincipalOrgPaths</c>/<c>aws:ResourceOrgPaths</c>, and the id for <c>aws:PrincipalOrgID</c>/<c>aws:ResourceOrgID</c>.
/// Immutable snapshot.
/// </summary>
public sealed record Guardrails(
    string OrganizationId,
    AccountId ManagementAccount,
    IReadOnlyList<string> OrgPaths,
    IReadOnlyList<GuardrailLevel> ServiceControlPolicies,
    IReadOnlyList<GuardrailLevel> ResourceControlPolicies);
