namespace Keyhaven.Policy.Evaluation;

/// <summary>The three possible outcomes of an authorization decision.</summary>
public enum DecisionOutcome
{
    /// <summary>Implicit deny: no applicable Allow in a layer that needed one (the default).</summary>
    ImplicitlyDenied = 0,

    /// <summary>An applicable Deny statement in any policy.</summary>
    ExplicitlyDenied,

    /// <summary>Every required layer allows and nothing denies.</summary>
    Allowed,
}
