namespace Keyhaven.Policy.Evaluation;

/// <summary>How one statement fared against the request (for explanations).</summary>
public enum StatementOutcome
{
    /// <summary>Action, resource, principal and conditions all matched.</summary>
    Matched,

    /// <summary>Something did not match.</summary>
    NotMatched,

    /// <summary>A condition could not be evaluated (request value of the wrong type): applies if the statement is a Deny.</summary>
    ConditionError,

    /// <summary>A policy variable had no value and no default: the statement does not apply.</summary>
    UnresolvedVariable,
}
