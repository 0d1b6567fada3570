namespace Keyhaven.Policy.Conditions;

/// <summary>Outcome of matching one part of a statement against a request.</summary>
internal enum MatchResult : byte
{
    /// <summary>Does not match.</summary>
    False,

    /// <summary>Matches.</summary>
    True,

    /// <summary>A request value could not be interpreted (e.g. a non-numeric value for a Numeric operator): a Deny statement then applies, an Allow does not.</summary>
    Error,

    /// <summary>A policy variable had no value and no default: the statement does not apply, whatever its effect.</summary>
    Unresolved,
}
