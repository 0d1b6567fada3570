namespace Keyhaven.Policy.Documents;

/// <summary>One statement of a policy document, as written (no evaluation state).</summary>
/// <remarks>
/// Exactly one of <see cref="Action"/>/<see cref="NotAction"/> is set; at most one of each other pair.
/// The parser guarantees this; hand-built instances are checked by <see cref="PolicyWriter"/>'s callers only.
/// </remarks>
public sealed record PolicyStatement
{
    /// <summary>The optional <c>Sid</c>.</summary>
    public string? Sid { get; init; }

    /// <summary>The <c>Effect</c>.</summary>
    public PolicyEffect Effect { get; init; }

    /// <summary>The <c>Principal</c> element, if any.</summary>
    public PrincipalSpec? Principal { get; init; }

    /// <summary>The <c>NotPrincipal</c> element, if any.</summary>
    public PrincipalSpec? NotPrincipal { get; init; }

    /// <summary>The <c>Action</c> patterns, if the element is present.</summary>
    public ValueList<string>? Action { get; init; }

    /// <summary>The <c>NotAction</c> patterns, if the element is present.</summary>
    public ValueList<string>? NotAction { get; init; }

    /// <summary>The <c>Resource</c> patterns, if the element is present.</summary>
    public ValueList<string>? Resource { get; init; }

    /// <summary>The <c>NotResource</c> patterns, if the element is present.</summary>
    public ValueList<string>? NotResource { get; init; }

    /// <summary>The <c>Condition</c> clauses in document order (empty when there is no condition).</summary>
    public ValueList<ConditionEntry> Conditions { get; init; } = ValueList<ConditionEntry>.Empty;
}
