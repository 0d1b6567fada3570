using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Keyhaven.Policy.Conditions;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Matching;

namespace Keyhaven.Policy.Validation;

/// <summary>
/// Checks a policy document the way IAM Access Analyzer's policy validation does, reporting ERROR,
/// SECURITY_WARNING, WARNING and SUGGESTION findings with JSON paths.
/// </summary>
/// <remarks>Pure and thread-safe; never throws on any input text.</remarks>
// spec: IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
public static class PolicyValidator
{
    /// <summary>Parses a <c>--type</c> value: <c>identity</c>, <c>resource</c>, <c>scp</c>, <c>rcp</c> or <c>trust</c> (case-insensitive).</summary>
    public static bool TryParsePolicyType(string? text, out PolicyType type)
    {
        type = PolicyType.Identity;
        switch (text?.ToLowerInvariant())
        {
            case "identity": type = PolicyType.Identity; return true;
            case "resource": type = PolicyType.Resource; return true;
            case "scp": type = PolicyType.ServiceControl; return true;
            case "rcp": type = PolicyType.ResourceControl; return true;
            case "trust": type = PolicyType.Trust; return true;
            default: return false;
        }
    }

    /// <summary>Validates <paramref name="json"/> as a policy of <paramref name="type"/>, parsed under <paramref name="limits"/> (default <see cref="PolicyLimits.Default"/>).</summary>
    /// <returns>Findings ordered by severity then position; empty when the policy is clean.</returns>
    public static IReadOnlyList<ValidationFinding> Validate(string? json, PolicyType type, PolicyLimits? limits = null)
    {
        var findings = new List<ValidationFinding>();
        var result = PolicyParser.Parse(json, limits);
        foreach (var e in result.Errors)
        {
            findings.Add(new(FindingType.Error, e.Code, e.Path, e.Message));
        }

        if (!result.IsSuccess)
        {
            return findings;
        }

        var doc = result.Document;
        CheckSize(json!, type, findings);
        if (doc.Version == PolicyVersion.Unspecified)
        {
            findings.Add(new(FindingType.Warning, "MISSING_VERSION", "$",
                "The policy has no `Version`: it is evaluated as 2008-10-17 and policy variables are not substituted. Add \"Version\": \"2012-10-17\"."));
        }

        if (doc.Statements.Count == 0)
        {
            findings.Add(new(FindingType.Suggestion, "EMPTY_ARRAY_STATEMENT", "$.Statement", "The policy has no statements and grants nothing."));
        }

        var sids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < doc.Statements.Count; i++)
        {
            var s = doc.Statements[i];
            string path = doc.Statements.Count == 1 && IsSingleStatementObject(json!) ? "$.Statement" : $"$.Statement[{i}]";
            if (s.Sid is not null && !sids.TryAdd(s.Sid, i))
            {
                findings.Add(new(FindingType.Error, "DUPLICATE_SID", path + ".Sid", $"Sid `{s.Sid}` is also used by statement {sids[s.Sid]}; Sids must be unique."));
            }

            CheckStatement(doc, s, path, type, findings);
        }

        CheckRedundantStatements(doc, findings);
        return findings.OrderBy(f => f.Type).ToList();
    }

    private static bool IsSingleStatementObject(string json)
    {
        using var d = JsonDocument.Parse(json);
        return d.RootElement.TryGetProperty("Statement", out var s) && s.ValueKind == JsonValueKind.Object;
    }

    private static void CheckSize(string json, PolicyType type, List<ValidationFinding> findings)
    {
        // spec: reference_iam-quotas.html — IAM counts characters excluding whitespace.
        int limit = type switch
        {
            PolicyType.Identity => 6_144,
            PolicyType.ServiceControl or PolicyType.ResourceControl => 5_120,
            PolicyType.Trust => 4_096,
            _ => 32_768,
        };
        int count = json.Count(c => !char.IsWhiteSpace(c));
        if (count > limit)
        {
            findings.Add(new(FindingType.Error, "POLICY_SIZE_EXCEEDED", "$", $"The policy has {count} non-whitespace characters; the limit for this policy type is {limit}."));
        }
    }

    private static void CheckStatement(PolicyDocument doc, PolicyStatement s, string path, PolicyType type, List<ValidationFinding> findings)
    {
        bool hasPrincipal = s.Principal is not null || s.NotPrincipal is not null;
        bool hasResource = s.Resource is not null || s.NotResource is not null;
        switch (type)
        {
            case PolicyType.Identity or PolicyType.ServiceControl:
                if (hasPrincipal)
                {
                    findings.Add(new(FindingType.Error, "UNSUPPORTED_PRINCIPAL", path + (s.Principal is not null ? ".Principal" : ".NotPrincipal"),
                        "This policy type does not take a `Principal` or `NotPrincipal` element."));
                }

                if (!hasResource)
                {
                    findings.Add(new(FindingType.Error, "MISSING_RESOURCE", path, "The statement has neither `Resource` nor `NotResource`."));
                }

                break;
            case PolicyType.Resource or PolicyType.ResourceControl or PolicyType.Trust:
                if (!hasPrincipal)
                {
                    findings.Add(new(FindingType.Error, "MISSING_PRINCIPAL", path, "A resource-based statement needs a `Principal` or `NotPrincipal` element."));
                }

                if (type == PolicyType.Trust && hasResource)
                {
                    findings.Add(new(FindingType.Error, "UNSUPPORTED_RESOURCE", path + ".Resource", "A trust policy does not take a `Resource` element."));
                }

                if (type == PolicyType.ResourceControl)
                {
                    // spec: organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html — Effect Allow only in the AWS
                    // managed RCPFullAWSAccess (built in, never validated here); Principal "*" only; NotPrincipal not supported.
                    if (s.Effect == PolicyEffect.Allow)
                    {
                        findings.Add(new(FindingType.Error, "RCP_ALLOW_NOT_SUPPORTED", path + ".Effect",
                            "A resource control policy supports only \"Effect\": \"Deny\" (Allow is used only by the AWS managed RCPFullAWSAccess)."));
                    }

                    if (s.Principal is { IsWildcard: false })
                    {
                        findings.Add(new(FindingType.Error, "RCP_PRINCIPAL_MUST_BE_STAR", path + ".Principal", "A resource control policy only supports \"Principal\": \"*\"."));
                    }

                    if (s.NotPrincipal is not null)
                    {
                        findings.Add(new(FindingType.Error, "RCP_NOT_PRINCIPAL_NOT_SUPPORTED", path + ".NotPrincipal", "A resource control policy does not support `NotPrincipal`."));
                    }
                }

                break;
        }

        if (s.Effect == PolicyEffect.Allow && s.NotPrincipal is not null)
        {
            findings.Add(new(FindingType.SecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", path + ".NotPrincipal",
                "`Allow` with `NotPrincipal` grants access to every principal not listed, including anonymous ones. Name the principals in `Principal` instead."));
        }

        if (s.Effect == PolicyEffect.Allow && s.NotAction is not null)
        {
            findings.Add(new(FindingType.SecurityWarning, "ALLOW_WITH_NOT_ACTION", path + ".NotAction",
                "`Allow` with `NotAction` grants every action not listed, including future ones. List the allowed actions in `Action`."));
        }

        if (s.Effect == PolicyEffect.Allow && s.NotResource is not null)
        {
            findings.Add(new(FindingType.SecurityWarning, "ALLOW_WITH_NOT_RESOURCE", path + ".NotResource",
                "`Allow` with `NotResource` grants access to every resource not listed, including future ones."));
        }

        bool publicPrincipal = s.Principal is { } p && (p.IsWildcard || p.Entries.Any(e => e.Kind == PrincipalKind.Aws && e.Value == "*"));
        if (s.Effect == PolicyEffect.Allow && publicPrincipal && s.Conditions.Count == 0 && type is PolicyType.Resource or PolicyType.Trust)
        {
            findings.Add(new(FindingType.SecurityWarning, "PUBLIC_ACCESS_WITHOUT_CONDITION", path + ".Principal",
                "`\"Principal\": \"*\"` with no `Condition` allows anyone, in any account, including anonymous callers. Add a condition such as aws:PrincipalOrgID or kms:CallerAccount."));
        }

        CheckEmpty(s.Action, path + ".Action", findings);
        CheckEmpty(s.NotAction, path + ".NotAction", findings);
        CheckEmpty(s.Resource, path + ".Resource", findings);
        CheckEmpty(s.NotResource, path + ".NotResource", findings);
        CheckRedundantEntries(s.Action, path + ".Action", "ACTION", ignoreCase: true, findings);
        CheckRedundantEntries(s.Resource, path + ".Resource", "RESOURCE", ignoreCase: false, findings);

        if (!doc.SupportsVariables)
        {
            var texts = (s.Resource ?? s.NotResource ?? ValueList<string>.Empty).Concat(s.Conditions.SelectMany(c => c.Values));
            if (texts.Any(t => t.Contains("${", StringComparison.Ordinal)))
            {
                findings.Add(new(FindingType.Warning, "POLICY_VARIABLE_IN_OLD_VERSION", path,
                    "The statement contains `${...}` but the policy version is not 2012-10-17, so it is compared as literal text."));
            }
        }

        foreach (var c in s.Conditions)
        {
            string cp = $"{path}.Condition.{c.Operator}.{c.Key}";
            if (!ConditionOperatorName.TryParse(c.Operator, out var op))
            {
                continue; // already reported by the parser
            }

            if (c.Values.Count == 0)
            {
                findings.Add(new(FindingType.Suggestion, "EMPTY_ARRAY_CONDITION", cp, "The condition has no values and never matches."));
            }

            if (op.Qualifier == SetQualifier.ForAllValues && ConditionKeyCatalog.IsSingleValued(c.Key))
            {
                findings.Add(new(FindingType.SecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", cp,
                    $"`ForAllValues:` with the single-valued key `{c.Key}` is true when the key is missing, which can be overly permissive. Remove `ForAllValues:`."));
            }
            else if (op.Qualifier == SetQualifier.ForAnyValue && ConditionKeyCatalog.IsSingleValued(c.Key))
            {
                findings.Add(new(FindingType.Warning, "FORANYVALUE_WITH_SINGLE_VALUED_KEY", cp,
                    $"`ForAnyValue:` with the single-valued key `{c.Key}` is redundant. Remove `ForAnyValue:`."));
            }
            else if (op.Qualifier == SetQualifier.None && ConditionKeyCatalog.IsMultiValued(c.Key) && op.Operator != ConditionOperator.Null)
            {
                findings.Add(new(FindingType.Warning, "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR", cp,
                    $"`{c.Key}` is multi-valued; use `ForAllValues:` or `ForAnyValue:` to say how its values are compared."));
            }

            if (op.Qualifier == SetQualifier.ForAllValues && s.Effect == PolicyEffect.Allow && !op.IfExists
                && !s.Conditions.Any(o => o.Key.Equals(c.Key, StringComparison.OrdinalIgnoreCase) && o.Operator == "Null"))
            {
                findings.Add(new(FindingType.Suggestion, "FORALLVALUES_WITHOUT_NULL_CHECK", cp,
                    $"`ForAllValues:` is also true when `{c.Key}` is missing; add a `Null` condition (\"false\") if the key must be present."));
            }
        }
    }

    private static void CheckEmpty(ValueList<string>? values, string path, List<ValidationFinding> findings)
    {
        if (values is { Count: 0 })
        {
            string element = path[(path.LastIndexOf('.') + 1)..];
            findings.Add(new(FindingType.Suggestion, "EMPTY_ARRAY_" + element.ToUpperInvariant(), path, $"`{element}` is an empty array; the statement never applies."));
        }
    }

    private static void CheckRedundantEntries(ValueList<string>? values, string path, string what, bool ignoreCase, List<ValidationFinding> findings)
    {
        if (values is not { Count: > 1 } list)
        {
            return;
        }

        for (int i = 0; i < list.Count; i++)
        {
            for (int j = 0; j < list.Count; j++)
            {
                if (i != j && Covers(list[j], list[i], ignoreCase) && (!Covers(list[i], list[j], ignoreCase) || j < i))
                {
                    findings.Add(new(FindingType.Suggestion, "REDUNDANT_" + what, $"{path}[{i}]", $"`{list[i]}` is already covered by `{list[j]}`."));
                    break;
                }
            }
        }
    }

    /// <summary>Does pattern <paramref name="general"/> match everything <paramref name="specific"/> matches? (Conservative.)</summary>
    private static bool Covers(string general, string specific, bool ignoreCase)
    {
        if (string.Equals(general, specific, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            return true;
        }

        if (general.IndexOfAny(['*', '?']) < 0 || specific.Contains("${", StringComparison.Ordinal) || general.Contains("${", StringComparison.Ordinal))
        {
            return false; // without wildcards only equality covers
        }

        // Treat the specific pattern's wildcards as literal characters: if the general pattern still matches it, it
        // matches every instantiation too, provided the general pattern ends in '*' where the specific one has wildcards.
        var syntax = PatternSyntax.Wildcards | (ignoreCase ? PatternSyntax.IgnoreCase : PatternSyntax.None);
        if (!PatternCompiler.TryCompile(general, syntax, out var pattern, out _))
        {
            return false;
        }

        bool unresolved = false;
        if (specific.IndexOfAny(['*', '?']) >= 0)
        {
            // Only a trailing '*' in the general pattern reliably covers a wildcard in the specific one.
            if (!general.EndsWith('*'))
            {
                return false;
            }

            string prefix = general[..^1];
            if (prefix.IndexOfAny(['*', '?']) >= 0)
            {
                return false;
            }

            return specific.StartsWith(prefix, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        return pattern.Match(specific, null, ref unresolved);
    }

    private static void CheckRedundantStatements(PolicyDocument doc, List<ValidationFinding> findings)
    {
        var statements = doc.Statements;
        for (int i = 0; i < statements.Count; i++)
        {
            for (int j = 0; j < statements.Count; j++)
            {
                if (i == j)
                {
                    continue;
                }

                var a = statements[i];
                var b = statements[j];
                bool identical = (a with { Sid = null }) == (b with { Sid = null });
                if ((identical && j < i) || (!identical && StatementCovers(b, a)))
                {
                    findings.Add(new(FindingType.Suggestion, "REDUNDANT_STATEMENT", $"$.Statement[{i}]",
                        $"Statement {i}{(a.Sid is null ? "" : $" (`{a.Sid}`)")} grants or denies nothing beyond statement {j}{(b.Sid is null ? "" : $" (`{b.Sid}`)")}."));
                    break;
                }
            }
        }
    }

    /// <summary>Does statement <paramref name="b"/> apply to every request <paramref name="a"/> applies to, with the same effect?</summary>
    private static bool StatementCovers(PolicyStatement b, PolicyStatement a)
    {
        if (a.Effect != b.Effect || a.Action is null || b.Action is null || a.NotResource is not null || b.NotResource is not null
            || a.Principal != b.Principal || a.NotPrincipal != b.NotPrincipal)
        {
            return false;
        }

        // b's conditions must be a subset of a's (fewer conditions = broader).
        if (!b.Conditions.All(c => a.Conditions.Contains(c)))
        {
            return false;
        }

        bool actions = a.Action.Value.All(x => b.Action.Value.Any(y => Covers(y, x, ignoreCase: true)));
        bool resources = b.Resource is null || (a.Resource is not null && a.Resource.Value.All(x => b.Resource.Value.Any(y => Covers(y, x, ignoreCase: false))));
        return actions && resources;
    }

    /// <summary>Formats findings as JSON: <c>{"findings":[{"findingType","issueCode","path","message"}...]}</c>.</summary>
    public static string ToJson(IReadOnlyList<ValidationFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("findings");
            foreach (var f in findings)
            {
                w.WriteStartObject();
                w.WriteString("findingType", f.TypeName);
                w.WriteString("issueCode", f.IssueCode);
                w.WriteString("path", f.Path);
                w.WriteString("message", f.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
