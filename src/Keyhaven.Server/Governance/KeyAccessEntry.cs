namespace Keyhaven.Server.Governance;

/// <summary>One principal's access to a key for one action, as the policy engine decided it across every layer.</summary>
/// <param name="Principal">The principal analysed.</param>
/// <param name="Outcome">Allowed, allowed only under conditions, or denied.</param>
/// <param name="Layer">The layer that decided (<c>ResourcePolicy</c>, <c>IdentityPolicy</c>, <c>Grant</c>, <c>ServiceControlPolicy</c>, …).</param>
/// <param name="Statement">The deciding statement or grant, when there is one.</param>
/// <param name="Conditions">For <see cref="KeyAccessOutcome.AllowedWithConditions"/>: what the request must carry.</param>
/// <param name="Restrictions">Deny statements that deny the access for some requests (e.g. without TLS), as conditions.</param>
/// <param name="Reason">The engine's message (AWS's AccessDenied wording for a denial).</param>
public sealed record KeyAccessEntry(AnalyzedPrincipal Principal, KeyAccessOutcome Outcome, string Layer, string? Statement, IReadOnlyList<string> Conditions,
    IReadOnlyList<string> Restrictions, string Reason)
{
    /// <summary>True unless denied.</summary>
    public bool CanUse => Outcome != KeyAccessOutcome.Denied;
}
