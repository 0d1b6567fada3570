using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Evaluation;

/// <summary>The result of one statement of one policy, as listed in a <see cref="DecisionExplanation"/>.</summary>
/// <param name="Layer">The policy layer.</param>
/// <param name="Statement">Which statement.</param>
/// <param name="Effect">The statement's effect.</param>
/// <param name="Outcome">Whether it applied.</param>
public sealed record StatementEvaluation(DecisionLayer Layer, StatementReference Statement, PolicyEffect Effect, StatementOutcome Outcome)
{
    /// <summary><see langword="true"/> when the statement takes effect (a Deny also takes effect on a condition error).</summary>
    public bool Applies => Outcome == StatementOutcome.Matched || (Effect == PolicyEffect.Deny && Outcome == StatementOutcome.ConditionError);
}
