namespace Keyhaven.Policy.Documents;

/// <summary>One principal named in a <c>Principal</c> / <c>NotPrincipal</c> element.</summary>
/// <param name="Kind">The principal type key (<c>AWS</c>, <c>Service</c>, ...).</param>
/// <param name="Value">The value exactly as written (a 12-digit account id is kept as written).</param>
public sealed record PrincipalEntry(PrincipalKind Kind, string Value);
