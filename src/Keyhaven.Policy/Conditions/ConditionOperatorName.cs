using System.Collections.Frozen;

namespace Keyhaven.Policy.Conditions;

/// <summary>A parsed condition operator name such as <c>ForAnyValue:StringLikeIfExists</c>.</summary>
/// <param name="Operator">The base operator.</param>
/// <param name="Qualifier">The set qualifier prefix.</param>
/// <param name="IfExists">Whether the <c>IfExists</c> suffix is present.</param>
public readonly record struct ConditionOperatorName(ConditionOperator Operator, SetQualifier Qualifier, bool IfExists)
{
    /// <summary>
    /// <see langword="true"/> for the negated operators (<c>StringNotEquals</c>, <c>NotIpAddress</c>, ...), which match
    /// when the key is missing.
    /// </summary>
    public bool IsNegated => Operator is ConditionOperator.StringNotEquals or ConditionOperator.StringNotEqualsIgnoreCase
        or ConditionOperator.StringNotLike or ConditionOperator.NumericNotEquals or ConditionOperator.DateNotEquals
        or ConditionOperator.NotIpAddress or ConditionOperator.ArnNotEquals or ConditionOperator.ArnNotLike;

    /// <summary>
    /// The base operator names, exactly as IAM spells them. An explicit table, not <see cref="Enum.TryParse{TEnum}(string, out TEnum)"/>:
    /// that one also reads <c>"StringLike,StringNotEquals"</c> (a flags OR of two values), numbers and names with spaces around them.
    /// </summary>
    // spec: reference_policies_elements_condition_operators.html
    private static readonly FrozenDictionary<string, ConditionOperator> Operators = new Dictionary<string, ConditionOperator>(StringComparer.Ordinal)
    {
        ["StringEquals"] = ConditionOperator.StringEquals,
        ["StringNotEquals"] = ConditionOperator.StringNotEquals,
        ["StringEqualsIgnoreCase"] = ConditionOperator.StringEqualsIgnoreCase,
        ["StringNotEqualsIgnoreCase"] = ConditionOperator.StringNotEqualsIgnoreCase,
        ["StringLike"] = ConditionOperator.StringLike,
        ["StringNotLike"] = ConditionOperator.StringNotLike,
        ["NumericEquals"] = ConditionOperator.NumericEquals,
        ["NumericNotEquals"] = ConditionOperator.NumericNotEquals,
        ["NumericLessThan"] = ConditionOperator.NumericLessThan,
        ["NumericLessThanEquals"] = ConditionOperator.NumericLessThanEquals,
        ["NumericGreaterThan"] = ConditionOperator.NumericGreaterThan,
        ["NumericGreaterThanEquals"] = ConditionOperator.NumericGreaterThanEquals,
        ["DateEquals"] = ConditionOperator.DateEquals,
        ["DateNotEquals"] = ConditionOperator.DateNotEquals,
        ["DateLessThan"] = ConditionOperator.DateLessThan,
        ["DateLessThanEquals"] = ConditionOperator.DateLessThanEquals,
        ["DateGreaterThan"] = ConditionOperator.DateGreaterThan,
        ["DateGreaterThanEquals"] = ConditionOperator.DateGreaterThanEquals,
        ["Bool"] = ConditionOperator.Bool,
        ["BinaryEquals"] = ConditionOperator.BinaryEquals,
        ["IpAddress"] = ConditionOperator.IpAddress,
        ["NotIpAddress"] = ConditionOperator.NotIpAddress,
        ["ArnEquals"] = ConditionOperator.ArnEquals,
        ["ArnLike"] = ConditionOperator.ArnLike,
        ["ArnNotEquals"] = ConditionOperator.ArnNotEquals,
        ["ArnNotLike"] = ConditionOperator.ArnNotLike,
        ["Null"] = ConditionOperator.Null,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, ConditionOperator>.AlternateLookup<ReadOnlySpan<char>> OperatorsBySpan =
        Operators.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Parses an operator name: an optional set qualifier, a base operator name exactly as IAM spells it, an optional
    /// <c>IfExists</c>; nothing else (no spaces, no lists). Names are case-sensitive, as IAM lists them. <c>Null</c>
    /// takes neither a set qualifier nor <c>IfExists</c>.
    /// </summary>
    public static bool TryParse(string? text, out ConditionOperatorName name)
    {
        name = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var span = text.AsSpan();
        var qualifier = SetQualifier.None;
        if (span.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAllValues;
            span = span["ForAllValues:".Length..];
        }
        else if (span.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAnyValue;
            span = span["ForAnyValue:".Length..];
        }

        bool ifExists = false;
        if (span.EndsWith("IfExists", StringComparison.Ordinal))
        {
            ifExists = true;
            span = span[..^"IfExists".Length];
        }

        if (!OperatorsBySpan.TryGetValue(span, out var op))
        {
            return false;
        }

        if (op == ConditionOperator.Null && (ifExists || qualifier != SetQualifier.None))
        {
            return false;
        }

        name = new ConditionOperatorName(op, qualifier, ifExists);
        return true;
    }

    /// <summary>The positive operator this negated operator inverts (itself when not negated).</summary>
    internal ConditionOperator Positive => Operator switch
    {
        ConditionOperator.StringNotEquals => ConditionOperator.StringEquals,
        ConditionOperator.StringNotEqualsIgnoreCase => ConditionOperator.StringEqualsIgnoreCase,
        ConditionOperator.StringNotLike => ConditionOperator.StringLike,
        ConditionOperator.NumericNotEquals => ConditionOperator.NumericEquals,
        ConditionOperator.DateNotEquals => ConditionOperator.DateEquals,
        ConditionOperator.NotIpAddress => ConditionOperator.IpAddress,
        ConditionOperator.ArnNotEquals => ConditionOperator.ArnEquals,
        ConditionOperator.ArnNotLike => ConditionOperator.ArnLike,
        var op => op,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        (Qualifier == SetQualifier.None ? "" : Qualifier + ":") + Operator + (IfExists ? "IfExists" : "");
}
