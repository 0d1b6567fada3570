using Keyhaven.Policy.Compilation;

namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// The SCPs or RCPs attached at one level of the organization path (root, each OU, the account).
/// A request needs an Allow from at least one policy at every level.
/// </summary>
/// <param name="OrgIdentifier">The root, OU or account id (<c>r-xxxx</c>, <c>ou-xxxx-yyyy</c>, 12 digits).</param>
/// <param name="Policies">The policies attached at that level (none attached means nothing is allowed there).</param>
public sealed record OrganizationLevel(string OrgIdentifier, IReadOnlyList<CompiledPolicy> Policies);
