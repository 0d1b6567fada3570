using Keyhaven.Identity.Organizations;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// The caller's side of a KMS authorization, compiled: its principal, identity policies, permissions boundary, session
/// policy and its account's guardrails (null outside an organization). Immutable.
/// </summary>
internal sealed record CallerPolicies(CallerIdentity Caller, PrincipalIdentity Principal, IReadOnlyList<CompiledPolicy> IdentityPolicies,
    CompiledPolicy? Boundary, CompiledPolicy? Session, Guardrails? Guardrails);
