namespace Keyhaven.Policy.Documents;

/// <summary>A <c>Principal</c> or <c>NotPrincipal</c> element: either <c>"*"</c> or a list of typed entries.</summary>
/// <param name="IsWildcard"><see langword="true"/> for the bare string <c>"*"</c> (everyone, including anonymous).</param>
/// <param name="Entries">The entries of the object form; empty when <paramref name="IsWildcard"/>.</param>
public sealed record PrincipalSpec(bool IsWildcard, ValueList<PrincipalEntry> Entries)
{
    /// <summary>The bare <c>"*"</c> principal.</summary>
    public static PrincipalSpec Wildcard { get; } = new(true, ValueList<PrincipalEntry>.Empty);
}
