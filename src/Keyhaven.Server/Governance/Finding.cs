using System.Security.Cryptography;
using System.Text;

namespace Keyhaven.Server.Governance;

/// <summary>
/// One governance finding: which rule, how severe, on which resource, for which principal, because of which statement,
/// and what to do about it. <see cref="Id"/> is stable: the same finding has the same id in every run. Immutable.
/// </summary>
/// <param name="Id"><c>KH-</c> and 16 hex digits of SHA-256 over rule, resource, principal, statement and (when a rule can
/// find several things at one statement) an issue code.</param>
/// <param name="Rule">The rule's code (<see cref="FindingRules"/>).</param>
/// <param name="Resource">The ARN of the key, policy, role or user concerned.</param>
/// <param name="Principal">The principal the finding is about (an ARN, an account id, or <c>*</c>); null when none.</param>
/// <param name="Statement">The statement (<c>policy#Sid</c> or <c>policy#index</c>), grant (<c>grant:ID</c>) or JSON path concerned; null when none.</param>
/// <param name="Description">One sentence: what is wrong, user data in backticks.</param>
/// <param name="Remediation">One or two sentences: what to change.</param>
public sealed record Finding(string Id, string Rule, FindingSeverity Severity, string Resource, string? Principal, string? Statement, string Description,
    string Remediation)
{
    /// <summary>Creates a finding with its stable id.</summary>
    /// <param name="issue">What distinguishes two findings of one rule at the same statement (a validator's issue code); null when a rule finds one thing there.</param>
    public static Finding Create(string rule, FindingSeverity severity, string resource, string? principal, string? statement, string description,
        string remediation, string? issue = null)
    {
        var identity = string.Join('\n', rule, resource, principal ?? "", statement ?? "") + (issue is null ? "" : "\n" + issue);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        return new Finding("KH-" + Convert.ToHexStringLower(hash.AsSpan(0, 8)), rule, severity, resource, principal, statement, description, remediation);
    }
}
