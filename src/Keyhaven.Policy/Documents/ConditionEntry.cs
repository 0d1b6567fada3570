namespace Keyhaven.Policy.Documents;

/// <summary>One <c>operator: { key: values }</c> clause of a <c>Condition</c> element.</summary>
/// <param name="Operator">The operator as written, including any <c>ForAllValues:</c>/<c>ForAnyValue:</c> prefix and <c>IfExists</c> suffix.</param>
/// <param name="Key">The condition key as written (matched case-insensitively).</param>
/// <param name="Values">The policy values; JSON booleans and numbers are kept as their JSON text.</param>
public sealed record ConditionEntry(string Operator, string Key, ValueList<string> Values);
