namespace Keyhaven.Identity.Organizations;

/// <summary>
/// One level of the organization above an account (root, each OU, the account itself) and the policies of one type
/// attached to it; maps to <c>Keyhaven.Policy.Evaluation.OrganizationLevel</c>. An empty list allows nothing.
/// </summary>
public sealed record GuardrailLevel(string OrgIdentifier, IReadOnlyList<GuardrailPolicy> Policies);
