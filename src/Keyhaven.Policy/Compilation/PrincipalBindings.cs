using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Policy.Compilation;

/// <summary>
/// The unique ids (<c>AIDA…</c> of a user, <c>AROA…</c> of a role) that the IAM user and role ARNs of a resource-based
/// policy stood for when the policy was saved. A statement principal that is bound matches only the principal with that
/// unique id: a user or role deleted and re-created under the same name is a different principal and no longer matches.
/// ARNs without a binding (external accounts, policies saved before bindings were recorded) match by ARN text.
/// </summary>
/// <remarks>Immutable and thread-safe. The store that saved the policy records the binding; the engine only reads it.</remarks>
// spec: IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles ("... transforms to the role's unique principal ID")
public sealed class PrincipalBindings
{
    private readonly FrozenDictionary<string, string> _ids;

    private PrincipalBindings(FrozenDictionary<string, string> ids) => _ids = ids;

    /// <summary>No bindings: every ARN matches by its text.</summary>
    public static PrincipalBindings Empty { get; } = new(FrozenDictionary<string, string>.Empty);

    /// <summary>The number of bound ARNs.</summary>
    public int Count => _ids.Count;

    /// <summary>The bound ARNs and their unique ids.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries => _ids;

    /// <summary>Bindings from principal ARN (exactly as the policy writes it) to unique id.</summary>
    /// <exception cref="ArgumentException">An ARN or unique id is empty.</exception>
    public static PrincipalBindings Create(IEnumerable<KeyValuePair<string, string>>? ids)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (arn, id) in ids ?? [])
        {
            ArgumentException.ThrowIfNullOrEmpty(arn);
            ArgumentException.ThrowIfNullOrEmpty(id);
            map[arn] = id;
        }

        return map.Count == 0 ? Empty : new PrincipalBindings(map.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The unique id <paramref name="arn"/> is bound to, if any.</summary>
    public bool TryGetUniqueId(string arn, [NotNullWhen(true)] out string? uniqueId) => _ids.TryGetValue(arn, out uniqueId);
}
