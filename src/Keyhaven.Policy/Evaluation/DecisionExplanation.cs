namespace Keyhaven.Policy.Evaluation;

/// <summary>A decision plus every statement evaluated, layer by layer, and an AWS-style message.</summary>
/// <param name="Decision">The decision (identical to <see cref="PolicyEvaluator.Evaluate"/>'s).</param>
/// <param name="Message">The AWS-style message.</param>
/// <param name="Statements">Every statement of every applicable policy with its outcome, in evaluation order.</param>
public sealed record DecisionExplanation(Decision Decision, string Message, IReadOnlyList<StatementEvaluation> Statements);
