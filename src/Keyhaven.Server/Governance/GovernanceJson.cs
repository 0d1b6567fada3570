using System.Globalization;
using System.Text.Json;

namespace Keyhaven.Server.Governance;

/// <summary>
/// The JSON of findings and key-access reports, one shape for <c>keyhaven analyze --json</c> and the
/// <c>KeyhavenGovernance</c> API; members in lower camel case, as IAM Access Analyzer writes its findings.
/// </summary>
public static class GovernanceJson
{
    /// <summary><c>{"generatedAt":…,"findings":[{id, rule, severity, resource, principal, statement, description, remediation}]}</c></summary>
    public static void Write(Utf8JsonWriter writer, GovernanceReport report)
    {
        writer.WriteStartObject();
        writer.WriteString("generatedAt", report.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        writer.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            writer.WriteStartObject();
            writer.WriteString("id", finding.Id);
            writer.WriteString("rule", finding.Rule);
            writer.WriteString("severity", SeverityName(finding.Severity));
            writer.WriteString("resource", finding.Resource);
            writer.WriteString("principal", finding.Principal);
            writer.WriteString("statement", finding.Statement);
            writer.WriteString("description", finding.Description);
            writer.WriteString("remediation", finding.Remediation);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>{"keyArn":…,"action":…,"principals":[{principal, type, account, via, outcome, layer, statement, conditions, restrictions, reason}]}</c></summary>
    public static void Write(Utf8JsonWriter writer, KeyAccessReport report)
    {
        writer.WriteStartObject();
        writer.WriteString("keyArn", report.KeyArn);
        writer.WriteString("action", report.Action);
        writer.WriteStartArray("principals");
        foreach (var entry in report.Entries)
        {
            writer.WriteStartObject();
            writer.WriteString("principal", entry.Principal.Arn);
            writer.WriteString("type", entry.Principal.Type);
            writer.WriteString("account", entry.Principal.Account);
            writer.WriteString("via", entry.Principal.Via);
            writer.WriteString("outcome", OutcomeName(entry.Outcome));
            writer.WriteString("layer", entry.Layer);
            writer.WriteString("statement", entry.Statement);
            writer.WriteStartArray("conditions");
            entry.Conditions.ToList().ForEach(writer.WriteStringValue);
            writer.WriteEndArray();
            writer.WriteStartArray("restrictions");
            entry.Restrictions.ToList().ForEach(writer.WriteStringValue);
            writer.WriteEndArray();
            writer.WriteString("reason", entry.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>CRITICAL</c>, <c>HIGH</c>, <c>MEDIUM</c>, <c>LOW</c>, <c>INFORMATIONAL</c>.</summary>
    public static string SeverityName(FindingSeverity severity) => severity.ToString().ToUpperInvariant();

    /// <summary><c>ALLOWED</c>, <c>ALLOWED_WITH_CONDITIONS</c>, <c>DENIED</c>.</summary>
    public static string OutcomeName(KeyAccessOutcome outcome) => outcome switch
    {
        KeyAccessOutcome.Allowed => "ALLOWED",
        KeyAccessOutcome.AllowedWithConditions => "ALLOWED_WITH_CONDITIONS",
        _ => "DENIED",
    };
}
