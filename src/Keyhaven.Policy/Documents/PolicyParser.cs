using System.Text.Json;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Conditions;
using Keyhaven.Policy.Matching;

namespace Keyhaven.Policy.Documents;

/// <summary>
/// Parses IAM policy JSON into a <see cref="PolicyDocument"/>, reporting every structural error with its JSON path.
/// A document that parses also compiles: condition operators and typed values (numbers, dates, IPs, booleans,
/// base64) and policy-variable syntax are checked here.
/// </summary>
/// <remarks>Pure and thread-safe. Never throws on any input text: failures are returned as <see cref="PolicyParseError"/>s.</remarks>
public static class PolicyParser
{
    // spec: reference_policies_grammar.html
    private static readonly HashSet<string> TopLevelElements = ["Version", "Id", "Statement"];
    private static readonly HashSet<string> StatementElements =
        ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

    /// <summary>Parses <paramref name="json"/> under <paramref name="limits"/> (default <see cref="PolicyLimits.Default"/>).</summary>
    public static PolicyParseResult Parse(string? json, PolicyLimits? limits = null)
    {
        limits ??= PolicyLimits.Default;
        var errors = new List<PolicyParseError>();
        if (json is not null && json.Length > limits.MaxDocumentChars)
        {
            errors.Add(new("DOCUMENT_TOO_LONG", "$", $"The policy document has {json.Length} characters; the limit is {limits.MaxDocumentChars}."));
            return new PolicyParseResult(null, errors);
        }

        if (string.IsNullOrWhiteSpace(json))
        {
            errors.Add(new("EMPTY_POLICY", "$", "The policy document is empty."));
            return new PolicyParseResult(null, errors);
        }

        JsonDocument jsonDocument;
        try
        {
            jsonDocument = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = limits.MaxDepth });
        }
        catch (JsonException ex)
        {
            errors.Add(new("INVALID_JSON", "$", $"The policy is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})."));
            return new PolicyParseResult(null, errors);
        }

        using (jsonDocument)
        {
            PolicyDocument? document;
            try
            {
                document = ParseDocument(jsonDocument.RootElement, limits, errors);
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json validates string escapes lazily: an unpaired surrogate (\ud800) surfaces only when read.
                errors.Add(new("INVALID_JSON", "$", "The policy contains a string with an invalid escape sequence (an unpaired UTF-16 surrogate)."));
                document = null;
            }

            return new PolicyParseResult(errors.Count == 0 ? document : null, errors);
        }
    }

    private static PolicyDocument? ParseDocument(JsonElement root, PolicyLimits limits, List<PolicyParseError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("INVALID_JSON_TYPE", "$", "A policy document must be a JSON object."));
            return null;
        }

        var version = PolicyVersion.Unspecified;
        string? id = null;
        JsonElement? statementElement = null;
        foreach (var property in Properties(root, "$", errors))
        {
            string path = "$." + property.Name;
            switch (property.Name)
            {
                case "Version":
                    string? v = ReadString(property.Value, path, errors);
                    version = v switch
                    {
                        "2012-10-17" => PolicyVersion.V2012_10_17,
                        "2008-10-17" => PolicyVersion.V2008_10_17,
                        null => PolicyVersion.Unspecified,
                        _ => Fail(errors, "INVALID_VERSION", path, $"`{v}` is not a policy version (expected 2012-10-17 or 2008-10-17).", PolicyVersion.Unspecified),
                    };
                    break;
                case "Id":
                    id = ReadString(property.Value, path, errors);
                    break;
                case "Statement":
                    statementElement = property.Value;
                    break;
                default:
                    errors.Add(new("UNKNOWN_ELEMENT", path, $"`{property.Name}` is not a policy element (expected Version, Id or Statement; names are case-sensitive)."));
                    break;
            }
        }

        if (statementElement is null)
        {
            errors.Add(new("MISSING_STATEMENT", "$", "The policy has no `Statement` element."));
            return null;
        }

        var statements = new List<PolicyStatement>();
        var element = statementElement.Value;
        bool variables = version == PolicyVersion.V2012_10_17;
        if (element.ValueKind == JsonValueKind.Object)
        {
            var s = ParseStatement(element, "$.Statement", variables, errors);
            if (s is not null)
            {
                statements.Add(s);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int count = element.GetArrayLength();
            if (count > limits.MaxStatements)
            {
                errors.Add(new("TOO_MANY_STATEMENTS", "$.Statement", $"The policy has {count} statements; the limit is {limits.MaxStatements}."));
                return null;
            }

            int index = 0;
            foreach (var item in element.EnumerateArray())
            {
                string path = $"$.Statement[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new("INVALID_JSON_TYPE", path, "A statement must be a JSON object."));
                    continue;
                }

                var s = ParseStatement(item, path, variables, errors);
                if (s is not null)
                {
                    statements.Add(s);
                }
            }
        }
        else
        {
            errors.Add(new("INVALID_JSON_TYPE", "$.Statement", "`Statement` must be an object or an array of objects."));
        }

        return new PolicyDocument { Version = version, Id = id, Statements = ValueList<PolicyStatement>.Wrap(statements.ToArray()) };
    }

    private static PolicyStatement? ParseStatement(JsonElement element, string path, bool variables, List<PolicyParseError> errors)
    {
        int errorsBefore = errors.Count;
        string? sid = null;
        PolicyEffect? effect = null;
        PrincipalSpec? principal = null, notPrincipal = null;
        ValueList<string>? action = null, notAction = null, resource = null, notResource = null;
        var conditions = ValueList<ConditionEntry>.Empty;
        foreach (var property in Properties(element, path, errors))
        {
            string p = path + "." + property.Name;
            switch (property.Name)
            {
                case "Sid":
                    sid = ReadString(property.Value, p, errors);
                    break;
                case "Effect":
                    string? e = ReadString(property.Value, p, errors);
                    effect = e switch
                    {
                        "Allow" => PolicyEffect.Allow,
                        "Deny" => PolicyEffect.Deny,
                        null => null,
                        _ => Fail<PolicyEffect?>(errors, "INVALID_EFFECT", p, $"`{e}` is not an effect (expected Allow or Deny, case-sensitive).", null),
                    };
                    break;
                case "Principal":
                    principal = ParsePrincipal(property.Value, p, errors);
                    break;
                case "NotPrincipal":
                    notPrincipal = ParsePrincipal(property.Value, p, errors);
                    break;
                case "Action":
                    action = ParseActions(property.Value, p, errors);
                    break;
                case "NotAction":
                    notAction = ParseActions(property.Value, p, errors);
                    break;
                case "Resource":
                    resource = ParseResources(property.Value, p, variables, errors);
                    break;
                case "NotResource":
                    notResource = ParseResources(property.Value, p, variables, errors);
                    break;
                case "Condition":
                    conditions = ParseConditions(property.Value, p, variables, errors);
                    break;
                default:
                    errors.Add(new("UNKNOWN_ELEMENT", p, $"`{property.Name}` is not a statement element (names are case-sensitive)."));
                    break;
            }
        }

        bool hasEffect = element.TryGetProperty("Effect", out _);
        if (!hasEffect)
        {
            errors.Add(new("MISSING_EFFECT", path, "The statement has no `Effect` element."));
        }

        bool hasAction = element.TryGetProperty("Action", out _), hasNotAction = element.TryGetProperty("NotAction", out _);
        if (!hasAction && !hasNotAction)
        {
            errors.Add(new("MISSING_ACTION", path, "The statement has neither `Action` nor `NotAction`."));
        }
        else if (hasAction && hasNotAction)
        {
            errors.Add(new("UNSUPPORTED_ELEMENT_COMBINATION", path, "A statement cannot have both `Action` and `NotAction`."));
        }

        if (element.TryGetProperty("Resource", out _) && element.TryGetProperty("NotResource", out _))
        {
            errors.Add(new("UNSUPPORTED_ELEMENT_COMBINATION", path, "A statement cannot have both `Resource` and `NotResource`."));
        }

        if (element.TryGetProperty("Principal", out _) && element.TryGetProperty("NotPrincipal", out _))
        {
            errors.Add(new("UNSUPPORTED_ELEMENT_COMBINATION", path, "A statement cannot have both `Principal` and `NotPrincipal`."));
        }

        if (errors.Count > errorsBefore || effect is null)
        {
            return null;
        }

        return new PolicyStatement
        {
            Sid = sid,
            Effect = effect.Value,
            Principal = principal,
            NotPrincipal = notPrincipal,
            Action = action,
            NotAction = notAction,
            Resource = resource,
            NotResource = notResource,
            Conditions = conditions,
        };
    }

    private static PrincipalSpec? ParsePrincipal(JsonElement value, string path, List<PolicyParseError> errors)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            if (value.GetString() == "*")
            {
                return PrincipalSpec.Wildcard;
            }

            errors.Add(new("INVALID_PRINCIPAL", path, $"`{value.GetString()}` is not a principal; use \"*\" or an object such as {{\"AWS\": \"...\"}}."));
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("INVALID_JSON_TYPE", path, "A principal must be \"*\" or an object."));
            return null;
        }

        var entries = new List<PrincipalEntry>();
        foreach (var property in Properties(value, path, errors))
        {
            string p = path + "." + property.Name;
            PrincipalKind? kind = property.Name switch
            {
                "AWS" => PrincipalKind.Aws,
                "Service" => PrincipalKind.Service,
                "Federated" => PrincipalKind.Federated,
                "CanonicalUser" => PrincipalKind.CanonicalUser,
                _ => null,
            };
            if (kind is null)
            {
                errors.Add(new("INVALID_PRINCIPAL", p, $"`{property.Name}` is not a principal type (expected AWS, Service, Federated or CanonicalUser)."));
                continue;
            }

            var values = ReadStringOrArray(property.Value, p, errors);
            for (int i = 0; i < values.Count; i++)
            {
                string v = values[i];
                string vp = property.Value.ValueKind == JsonValueKind.Array ? $"{p}[{i}]" : p;
                if (kind == PrincipalKind.Aws && !IsValidAwsPrincipal(v))
                {
                    errors.Add(new("INVALID_PRINCIPAL", vp, $"`{v}` is not an AWS principal (expected \"*\", a 12-digit account id, or an IAM/STS ARN without wildcards)."));
                }
                else if (v.Length == 0)
                {
                    errors.Add(new("INVALID_PRINCIPAL", vp, "A principal must not be empty."));
                }

                entries.Add(new PrincipalEntry(kind.Value, v));
            }
        }

        return new PrincipalSpec(false, ValueList<PrincipalEntry>.Wrap(entries.ToArray()));
    }

    internal static bool IsValidAwsPrincipal(string v)
    {
        if (v == "*" || AccountId.TryParse(v, out _))
        {
            return true;
        }

        return Arn.TryParse(v, out var arn)
            && (arn.Service.SequenceEqual("iam") || arn.Service.SequenceEqual("sts"))
            && AccountId.TryParse(arn.Account, out _)
            && arn.Resource.Length > 0
            && !v.Contains('*') && !v.Contains('?');
    }

    private static ValueList<string>? ParseActions(JsonElement value, string path, List<PolicyParseError> errors)
    {
        var values = ReadStringOrArray(value, path, errors);
        for (int i = 0; i < values.Count; i++)
        {
            string a = values[i];
            int colon = a.IndexOf(':');
            if (a != "*" && (colon <= 0 || colon == a.Length - 1 || a.IndexOf(':', colon + 1) >= 0 || a.Any(char.IsWhiteSpace)))
            {
                string p = value.ValueKind == JsonValueKind.Array ? $"{path}[{i}]" : path;
                errors.Add(new("INVALID_ACTION", p, $"`{a}` is not an action (expected service:Operation, wildcards allowed, or \"*\")."));
            }
        }

        return values;
    }

    private static ValueList<string>? ParseResources(JsonElement value, string path, bool variables, List<PolicyParseError> errors)
    {
        var values = ReadStringOrArray(value, path, errors);
        for (int i = 0; i < values.Count; i++)
        {
            string r = values[i];
            string p = value.ValueKind == JsonValueKind.Array ? $"{path}[{i}]" : path;
            if (r != "*" && !Arn.TryParse(r, out _))
            {
                errors.Add(new("INVALID_ARN", p, $"`{r}` is not a resource ARN (expected arn:partition:service:region:account-id:resource or \"*\")."));
            }
            else if (!ResourcePattern.TryCompile(r, variables, out _, out var error))
            {
                errors.Add(new("INVALID_POLICY_VARIABLE", p, error!));
            }
        }

        return values;
    }

    private static ValueList<ConditionEntry> ParseConditions(JsonElement value, string path, bool variables, List<PolicyParseError> errors)
    {
        var entries = new List<ConditionEntry>();
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("INVALID_JSON_TYPE", path, "`Condition` must be an object of operator: { key: values }."));
            return ValueList<ConditionEntry>.Empty;
        }

        foreach (var op in Properties(value, path, errors))
        {
            string opPath = path + "." + op.Name;
            if (op.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("INVALID_JSON_TYPE", opPath, $"The value of condition operator `{op.Name}` must be an object of key: values."));
                continue;
            }

            foreach (var key in Properties(op.Value, opPath, errors))
            {
                string keyPath = opPath + "." + key.Name;
                var values = ReadConditionValues(key.Value, keyPath, errors);
                if (values is null)
                {
                    continue;
                }

                var entry = new ConditionEntry(op.Name, key.Name, values.Value);
                if (!CompiledCondition.TryCompile(entry, variables, out _, out var code, out var message))
                {
                    errors.Add(new(code, code == "INVALID_CONDITION_OPERATOR" ? opPath : keyPath, message));
                    if (code == "INVALID_CONDITION_OPERATOR")
                    {
                        break;
                    }

                    continue;
                }

                entries.Add(entry);
            }
        }

        return ValueList<ConditionEntry>.Wrap(entries.ToArray());
    }

    private static ValueList<string>? ReadConditionValues(JsonElement value, string path, List<PolicyParseError> errors)
    {
        static string? Scalar(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };

        if (value.ValueKind == JsonValueKind.Array)
        {
            var list = new List<string>();
            int i = 0;
            foreach (var item in value.EnumerateArray())
            {
                string? s = Scalar(item);
                if (s is null)
                {
                    errors.Add(new("INVALID_JSON_TYPE", $"{path}[{i}]", "Condition values must be strings, numbers or booleans."));
                    return null;
                }

                list.Add(s);
                i++;
            }

            return ValueList<string>.Wrap(list.ToArray());
        }

        string? single = Scalar(value);
        if (single is null)
        {
            errors.Add(new("INVALID_JSON_TYPE", path, "Condition values must be a string, number, boolean or an array of them."));
            return null;
        }

        return ValueList<string>.Wrap([single]);
    }

    private static ValueList<string> ReadStringOrArray(JsonElement value, string path, List<PolicyParseError> errors)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return ValueList<string>.Wrap([value.GetString()!]);
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new("INVALID_JSON_TYPE", path, "Expected a string or an array of strings."));
            return ValueList<string>.Empty;
        }

        var list = new List<string>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add(new("INVALID_JSON_TYPE", $"{path}[{i}]", "Expected a string."));
            }
            else
            {
                list.Add(item.GetString()!);
            }

            i++;
        }

        return ValueList<string>.Wrap(list.ToArray());
    }

    private static string? ReadString(JsonElement value, string path, List<PolicyParseError> errors)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        errors.Add(new("INVALID_JSON_TYPE", path, "Expected a string."));
        return null;
    }

    /// <summary>Enumerates an object's properties, reporting duplicate names (IAM rejects them; JSON parsers disagree on which wins).</summary>
    private static List<JsonProperty> Properties(JsonElement obj, string path, List<PolicyParseError> errors)
    {
        var list = new List<JsonProperty>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                errors.Add(new("DUPLICATE_KEY", path + "." + property.Name, $"`{property.Name}` appears more than once in the same object."));
                continue;
            }

            list.Add(property);
        }

        return list;
    }

    private static T Fail<T>(List<PolicyParseError> errors, string code, string path, string message, T value)
    {
        errors.Add(new(code, path, message));
        return value;
    }
}
