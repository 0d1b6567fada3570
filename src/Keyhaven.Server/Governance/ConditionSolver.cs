using System.Globalization;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Proposes a request value that satisfies one condition clause, from the clause's own values (the first one, or one
/// just past it for strict comparisons, or a value outside the list for negated operators). The proposal is only a
/// candidate: the policy engine decides, across every layer, whether a request carrying it is allowed.
/// </summary>
internal static class ConditionSolver
{
    /// <summary>A value no policy is expected to name, for negated operators.</summary>
    public const string OtherValue = "keyhaven-analysis-other-value";

    /// <summary>The value to give the clause's key, or null when no value is needed (<c>Null: true</c>) or none can be proposed.</summary>
    public static string? Propose(ConditionEntry entry)
    {
        var op = entry.Operator;
        var colon = op.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            op = op[(colon + 1)..]; // ForAnyValue: / ForAllValues:
        }

        if (op.EndsWith("IfExists", StringComparison.Ordinal))
        {
            op = op[..^"IfExists".Length];
        }

        if (entry.Values.Count == 0)
        {
            return null;
        }

        var first = entry.Values[0];
        if (first.Contains("${", StringComparison.Ordinal))
        {
            return null; // a policy variable: its value is the principal's, not one to propose
        }

        return op switch
        {
            "StringEquals" or "StringEqualsIgnoreCase" or "ArnEquals" or "Bool" or "BinaryEquals" or "NumericEquals" or "NumericLessThanEquals"
                or "NumericGreaterThanEquals" or "DateEquals" or "DateLessThanEquals" or "DateGreaterThanEquals" => first,
            "StringLike" or "ArnLike" => first.Replace('*', 'x').Replace('?', 'x'),
            "StringNotEquals" or "StringNotEqualsIgnoreCase" or "StringNotLike" or "ArnNotEquals" or "ArnNotLike" => OtherValue,
            "IpAddress" => first.Split('/')[0],
            "NumericLessThan" => Shift(first, -1),
            "NumericGreaterThan" or "NumericNotEquals" => Shift(first, +1),
            "DateLessThan" => ShiftDate(first, -1),
            "DateGreaterThan" or "DateNotEquals" => ShiftDate(first, +1),
            "Null" => string.Equals(first, "false", StringComparison.OrdinalIgnoreCase) ? OtherValue : null,
            _ => null,
        };
    }

    /// <summary>
    /// The value to give the clause's key so that the clause does not hold (to step around a Deny), or null when leaving
    /// the key out does, or no value can be proposed.
    /// </summary>
    public static string? ProposeAgainst(ConditionEntry entry)
    {
        var op = entry.Operator;
        var colon = op.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            op = op[(colon + 1)..];
        }

        var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
        if (ifExists)
        {
            op = op[..^"IfExists".Length];
        }

        if (entry.Values.Count == 0 || entry.Values[0].Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var first = entry.Values[0];
        return op switch
        {
            "StringNotEquals" or "StringNotEqualsIgnoreCase" or "ArnNotEquals" => first,
            "StringNotLike" or "ArnNotLike" => first.Replace('*', 'x').Replace('?', 'x'),
            "StringEquals" or "StringEqualsIgnoreCase" or "ArnEquals" or "StringLike" or "ArnLike" => ifExists ? OtherValue : null,
            "Bool" => string.Equals(first, "true", StringComparison.OrdinalIgnoreCase) ? "false" : "true",
            "NotIpAddress" => first.Split('/')[0],
            "Null" => string.Equals(first, "true", StringComparison.OrdinalIgnoreCase) ? OtherValue : null,
            _ => null,
        };
    }

    /// <summary>The clause as a reader would write it: <c>StringEquals kms:EncryptionContext:app = [payroll]</c>.</summary>
    public static string Describe(ConditionEntry entry) =>
        $"{entry.Operator} {entry.Key} = " + (entry.Values.Count == 1 ? entry.Values[0] : "[" + string.Join(", ", entry.Values) + "]");

    private static string? Shift(string value, int by) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? (number + by).ToString(CultureInfo.InvariantCulture)
            : null;

    private static string? ShiftDate(string value, int seconds) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) ? (epoch + seconds).ToString(CultureInfo.InvariantCulture) : null;
}
