using System.Diagnostics;
using System.Globalization;
using System.Net;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Policy.Matching;

namespace Keyhaven.Policy.Conditions;

/// <summary>One <c>operator: { key: [values] }</c> clause, with its policy values pre-parsed into their types.</summary>
/// <remarks>Immutable; evaluation allocates nothing except when parsing an IP address from the request.</remarks>
internal sealed class CompiledCondition
{
    private readonly Pattern[]? _strings;
    private readonly ResourcePattern[]? _arns;
    private readonly double[]? _numbers;
    private readonly long[]? _dates;
    private readonly bool[]? _bools;
    private readonly IPNetwork[]? _networks;
    private readonly string[] _raw;
    private readonly bool _variables;

    private CompiledCondition(ConditionOperatorName name, string key, string[] raw, Pattern[]? strings, ResourcePattern[]? arns,
        double[]? numbers, long[]? dates, bool[]? bools, IPNetwork[]? networks)
    {
        Name = name;
        Key = key;
        _raw = raw;
        _strings = strings;
        _arns = arns;
        _numbers = numbers;
        _dates = dates;
        _bools = bools;
        _networks = networks;
        _variables = (strings?.Any(p => p.HasVariables) ?? false) || (arns?.Any(p => p.HasVariables) ?? false);
    }

    public ConditionOperatorName Name { get; }

    public string Key { get; }

    /// <summary>Compiles a clause; on failure returns an issue code and a message.</summary>
    public static bool TryCompile(ConditionEntry entry, bool variables, out CompiledCondition condition, out string code, out string message)
    {
        condition = null!;
        code = message = string.Empty;
        if (!ConditionOperatorName.TryParse(entry.Operator, out var name))
        {
            code = "INVALID_CONDITION_OPERATOR";
            message = $"`{entry.Operator}` is not a condition operator.";
            return false;
        }

        if (string.IsNullOrEmpty(entry.Key))
        {
            code = "INVALID_CONDITION_KEY";
            message = "Condition keys must not be empty.";
            return false;
        }

        string[] raw = entry.Values.ToArray();
        Pattern[]? strings = null;
        ResourcePattern[]? arns = null;
        double[]? numbers = null;
        long[]? dates = null;
        bool[]? bools = null;
        IPNetwork[]? networks = null;
        var op = name.Positive;
        string? bad = null;
        switch (op)
        {
            case ConditionOperator.StringEquals or ConditionOperator.StringEqualsIgnoreCase or ConditionOperator.StringLike:
            {
                var syntax = (variables ? PatternSyntax.Variables : PatternSyntax.None)
                    | (op == ConditionOperator.StringLike ? PatternSyntax.Wildcards : PatternSyntax.None)
                    | (op == ConditionOperator.StringEqualsIgnoreCase ? PatternSyntax.IgnoreCase : PatternSyntax.None);
                strings = new Pattern[raw.Length];
                for (int i = 0; i < raw.Length; i++)
                {
                    if (!PatternCompiler.TryCompile(raw[i], syntax, out strings[i], out var error))
                    {
                        code = "INVALID_POLICY_VARIABLE";
                        message = error!;
                        return false;
                    }
                }

                break;
            }

            case ConditionOperator.ArnEquals or ConditionOperator.ArnLike:
                arns = new ResourcePattern[raw.Length];
                for (int i = 0; i < raw.Length; i++)
                {
                    if (!ResourcePattern.TryCompile(raw[i], variables, out arns[i], out var error))
                    {
                        code = "INVALID_POLICY_VARIABLE";
                        message = error!;
                        return false;
                    }
                }

                break;
            case >= ConditionOperator.NumericEquals and <= ConditionOperator.NumericGreaterThanEquals:
                numbers = new double[raw.Length];
                for (int i = 0; i < raw.Length && bad is null; i++)
                {
                    bad = ConditionValueParser.TryParseNumber(raw[i], out numbers[i]) ? null : raw[i];
                }

                break;
            case >= ConditionOperator.DateEquals and <= ConditionOperator.DateGreaterThanEquals:
                dates = new long[raw.Length];
                for (int i = 0; i < raw.Length && bad is null; i++)
                {
                    bad = ConditionValueParser.TryParseDate(raw[i], out dates[i]) ? null : raw[i];
                }

                break;
            case ConditionOperator.Bool or ConditionOperator.Null:
                bools = new bool[raw.Length];
                for (int i = 0; i < raw.Length && bad is null; i++)
                {
                    bad = ConditionValueParser.TryParseBool(raw[i], out bools[i]) ? null : raw[i];
                }

                break;
            case ConditionOperator.IpAddress:
                networks = new IPNetwork[raw.Length];
                for (int i = 0; i < raw.Length && bad is null; i++)
                {
                    bad = ConditionValueParser.TryParseNetwork(raw[i], out networks[i]) ? null : raw[i];
                }

                break;
            case ConditionOperator.BinaryEquals:
                foreach (var value in raw)
                {
                    bad ??= ConditionValueParser.TryParseBase64(value) ? null : value;
                }

                break;
            default:
                Debug.Fail("unreachable: every positive operator is handled");
                break;
        }

        if (bad is not null)
        {
            code = "INVALID_CONDITION_VALUE";
            message = $"`{bad}` is not a valid value for {name} (expected {ExpectedType(op)}).";
            return false;
        }

        condition = new CompiledCondition(name, entry.Key, raw, strings, arns, numbers, dates, bools, networks);
        return true;
    }

    private static string ExpectedType(ConditionOperator op) => op switch
    {
        >= ConditionOperator.NumericEquals and <= ConditionOperator.NumericGreaterThanEquals => "a decimal number",
        >= ConditionOperator.DateEquals and <= ConditionOperator.DateGreaterThanEquals => "an ISO 8601 date or epoch seconds",
        ConditionOperator.Bool or ConditionOperator.Null => "true or false",
        ConditionOperator.IpAddress => "an IPv4/IPv6 address or CIDR block",
        ConditionOperator.BinaryEquals => "base64",
        _ => "a string",
    };

    /// <summary>Evaluates the clause against the request.</summary>
    // spec: reference_policies_multi-value-conditions.html, reference_policies_elements_condition_operators.html
    public MatchResult Evaluate(AuthorizationRequest request)
    {
        bool found = request.TryGetValues(Key, out var values);
        bool present = found && values.Count > 0;
        if (Name.Operator == ConditionOperator.Null)
        {
            // Null: "true" means the key is absent (or an empty set), "false" that it is present.
            Debug.Assert(_bools is not null);
            foreach (bool expectAbsent in _bools!)
            {
                if (expectAbsent != present)
                {
                    return MatchResult.True;
                }
            }

            return MatchResult.False;
        }

        if (!present)
        {
            return Name.Qualifier switch
            {
                // ForAllValues is vacuously true on a missing key or empty set.
                SetQualifier.ForAllValues => MatchResult.True,
                SetQualifier.ForAnyValue => Name.IfExists ? MatchResult.True : MatchResult.False,
                // A missing key fails positive operators and satisfies negated ones; IfExists makes it true.
                _ => Name.IfExists || Name.IsNegated ? MatchResult.True : MatchResult.False,
            };
        }

        bool negated = Name.IsNegated;
        switch (Name.Qualifier)
        {
            case SetQualifier.ForAllValues:
            {
                var result = MatchResult.True;
                for (int i = 0; i < values.Count; i++)
                {
                    var r = ApplyNegation(MatchAny(values[i], request), negated);
                    if (r == MatchResult.Unresolved)
                    {
                        return r;
                    }

                    if (r == MatchResult.False)
                    {
                        result = MatchResult.False;
                    }
                    else if (r == MatchResult.Error && result == MatchResult.True)
                    {
                        result = MatchResult.Error;
                    }
                }

                return result;
            }

            case SetQualifier.ForAnyValue:
            {
                var result = MatchResult.False;
                for (int i = 0; i < values.Count; i++)
                {
                    var r = ApplyNegation(MatchAny(values[i], request), negated);
                    if (r == MatchResult.Unresolved)
                    {
                        return r;
                    }

                    if (r == MatchResult.True)
                    {
                        result = MatchResult.True;
                    }
                    else if (r == MatchResult.Error && result == MatchResult.False)
                    {
                        result = MatchResult.Error;
                    }
                }

                return result;
            }

            default:
            {
                // Without a set qualifier a multi-valued key matches when any of its values matches;
                // a negated operator is the negation of that.
                var any = MatchResult.False;
                for (int i = 0; i < values.Count; i++)
                {
                    var r = MatchAny(values[i], request);
                    if (r == MatchResult.Unresolved)
                    {
                        return r;
                    }

                    if (r == MatchResult.True)
                    {
                        any = MatchResult.True;
                    }
                    else if (r == MatchResult.Error && any == MatchResult.False)
                    {
                        any = MatchResult.Error;
                    }
                }

                return ApplyNegation(any, negated);
            }
        }
    }

    private static MatchResult ApplyNegation(MatchResult r, bool negated) =>
        !negated ? r : r switch { MatchResult.True => MatchResult.False, MatchResult.False => MatchResult.True, _ => r };

    /// <summary>Does the request value match any policy value under the positive operator?</summary>
    private MatchResult MatchAny(string value, AuthorizationRequest request)
    {
        var op = Name.Positive;

        // docs/policy-engine.md#policy-variables: a variable without a value in any of the values makes the statement not
        // apply; checked before matching so that a value matching first does not hide it (nor the request value decide).
        if (_variables && !(_strings is not null ? Pattern.AllResolve(_strings, request) : ResourcePattern.AllResolve(_arns!, request)))
        {
            return MatchResult.Unresolved;
        }

        if (_strings is not null)
        {
            bool unresolved = false;
            foreach (var pattern in _strings)
            {
                if (pattern.Match(value, request, ref unresolved))
                {
                    return MatchResult.True;
                }
            }

            Debug.Assert(!unresolved, "every variable resolved above");
            return MatchResult.False;
        }

        if (_arns is not null)
        {
            bool unresolved = false;
            foreach (var pattern in _arns)
            {
                if (pattern.Match(value, request, ref unresolved))
                {
                    return MatchResult.True;
                }
            }

            Debug.Assert(!unresolved, "every variable resolved above");
            return MatchResult.False;
        }

        if (_numbers is not null)
        {
            if (!ConditionValueParser.TryParseNumber(value, out double v))
            {
                return MatchResult.Error;
            }

            foreach (double p in _numbers)
            {
                if (Compare(op - ConditionOperator.NumericEquals, v.CompareTo(p)))
                {
                    return MatchResult.True;
                }
            }

            return MatchResult.False;
        }

        if (_dates is not null)
        {
            if (!ConditionValueParser.TryParseDate(value, out long v))
            {
                return MatchResult.Error;
            }

            foreach (long p in _dates)
            {
                if (Compare(op - ConditionOperator.DateEquals, v.CompareTo(p)))
                {
                    return MatchResult.True;
                }
            }

            return MatchResult.False;
        }

        if (_bools is not null)
        {
            if (!ConditionValueParser.TryParseBool(value, out bool v))
            {
                return MatchResult.Error;
            }

            return Array.IndexOf(_bools, v) >= 0 ? MatchResult.True : MatchResult.False;
        }

        if (_networks is not null)
        {
            if (!IPAddress.TryParse(value, out var address))
            {
                return MatchResult.Error;
            }

            foreach (var network in _networks)
            {
                if (network.Contains(address))
                {
                    return MatchResult.True;
                }
            }

            return MatchResult.False;
        }

        Debug.Assert(op == ConditionOperator.BinaryEquals);
        return Array.IndexOf(_raw, value) >= 0 ? MatchResult.True : MatchResult.False;
    }

    /// <summary>Offsets follow the enum order Equals, NotEquals, LessThan, LessThanEquals, GreaterThan, GreaterThanEquals.</summary>
    private static bool Compare(int offset, int cmp) => offset switch
    {
        0 => cmp == 0,
        1 => cmp != 0,
        2 => cmp < 0,
        3 => cmp <= 0,
        4 => cmp > 0,
        _ => cmp >= 0,
    };

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} {Key} [{string.Join(", ", _raw)}]");
}
