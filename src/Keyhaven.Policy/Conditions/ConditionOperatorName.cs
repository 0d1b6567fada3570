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
    /// Parses an operator name. Names are case-sensitive, as in IAM. <c>Null</c> takes neither a set qualifier nor
    /// <c>IfExists</c>.
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

        if (span.Length == 0 || !char.IsAsciiLetterUpper(span[0]) || !Enum.TryParse(span, ignoreCase: false, out ConditionOperator op))
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
