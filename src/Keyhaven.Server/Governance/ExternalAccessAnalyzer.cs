using Keyhaven.Kms.Keys;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Server.Governance;

/// <summary>
/// External access: for every key, the Allow statements of its key policy and the grants that reach principals outside
/// its zone of trust (its organization, or its account when it is in none), and public access (<c>"Principal":"*"</c>
/// or <c>NotPrincipal</c> without a condition that limits the caller to the zone). Reads the documents, as IAM Access
/// Analyzer does; Deny statements are not subtracted.
/// </summary>
internal static class ExternalAccessAnalyzer
{
    /// <summary>Condition keys that, with a positive operator and values inside the zone, keep a wildcard principal inside it.</summary>
    private static readonly string[] ZoneKeys = ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "kms:CallerAccount", "aws:PrincipalArn"];

    /// <summary>The condition operators (optionally under <c>ForAnyValue:</c>) whose values a request must match one of.</summary>
    private static readonly HashSet<string> LimitingOperators = new(StringComparer.Ordinal) { "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike" };

    public static IEnumerable<Finding> Analyze(GovernanceInventory inventory, KmsKey key)
    {
        var account = key.Account.Value;
        var zone = inventory.ZoneOfTrust(account);
        var organization = inventory.OrganizationOf(account);
        var zoneName = organization is null ? $"account `{account}`" : $"organization `{organization}`";
        var parsed = PolicyParser.Parse(key.Policy);
        if (parsed.Document is { } document)
        {
            for (var i = 0; i < document.Statements.Count; i++)
            {
                var statement = document.Statements[i];
                if (statement.Effect != PolicyEffect.Allow)
                {
                    continue;
                }

                var reference = "key-policy#" + (statement.Sid ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var actions = statement.Action is { } a ? string.Join(", ", a) : "every action but " + string.Join(", ", statement.NotAction ?? default);
                var wildcard = statement.NotPrincipal is not null || statement.Principal is { IsWildcard: true }
                    || statement.Principal?.Entries.Any(e => e.Kind == PrincipalKind.Aws && e.Value == "*") == true;
                if (wildcard)
                {
                    var limited = LimitedTo(statement, zone, organization);
                    if (limited is null)
                    {
                        yield return Finding.Create(FindingRules.PublicAccess, FindingSeverity.Critical, key.Arn, "*", reference,
                            $"Statement `{reference}` allows anyone ({actions}) with no condition that limits callers to {zoneName}.",
                            "Name the principals in the statement, or add an `aws:PrincipalOrgID` (or `aws:PrincipalAccount`) condition that keeps callers in your zone of trust.");
                    }
                    else
                    {
                        foreach (var outside in limited.Where(x => !zone.Contains(x)))
                        {
                            yield return External(key, outside, reference, actions, zoneName, "through its condition");
                        }
                    }

                    continue;
                }

                foreach (var entry in statement.Principal?.Entries ?? default)
                {
                    if (entry.Kind == PrincipalKind.Aws && AccountOf(entry.Value) is { } principalAccount && !zone.Contains(principalAccount))
                    {
                        yield return External(key, entry.Value, reference, actions, zoneName, statement.Conditions.Count > 0 ? "under its conditions" : null);
                    }
                }
            }
        }

        foreach (var grant in inventory.Grants.GetValueOrDefault(key.Arn, []))
        {
            if (AccountOf(grant.GranteePrincipal) is { } granteeAccount && !zone.Contains(granteeAccount))
            {
                var operations = string.Join(", ", grant.OperationNames);
                yield return Finding.Create(FindingRules.ExternalAccess, FindingSeverity.High, key.Arn, grant.GranteePrincipal, "grant:" + grant.Id.Value,
                    $"Grant `{grant.Id.Value}` gives `{grant.GranteePrincipal}`, outside {zoneName}, {operations}" +
                    (grant.Constraints is null ? "." : " (with encryption-context constraints)."),
                    "Retire or revoke the grant if the other account should not use this key.");
            }
        }
    }

    private static Finding External(KmsKey key, string principal, string reference, string actions, string zoneName, string? qualifier) =>
        Finding.Create(FindingRules.ExternalAccess, FindingSeverity.High, key.Arn, principal, reference,
            $"Statement `{reference}` allows `{principal}`, outside {zoneName}, {actions}" + (qualifier is null ? "." : $" {qualifier}."),
            "Remove the principal from the key policy if the other account should not use this key, or narrow the actions.");

    /// <summary>
    /// The accounts a wildcard statement's conditions limit callers to (empty when limited to the organization), or null
    /// when nothing limits them.
    /// </summary>
    private static List<string>? LimitedTo(PolicyStatement statement, IReadOnlySet<string> zone, string? organization)
    {
        foreach (var entry in statement.Conditions)
        {
            // Only an operator that requires the value to be one of the listed ones limits callers: not IfExists (absent
            // keys pass), not ForAllValues (an empty set passes), not the negated, numeric, date or Null operators.
            var op = entry.Operator.StartsWith("ForAnyValue:", StringComparison.Ordinal) ? entry.Operator["ForAnyValue:".Length..] : entry.Operator;
            if (!LimitingOperators.Contains(op) || !ZoneKeys.Any(k => k.Equals(entry.Key, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var key = entry.Key.ToLowerInvariant();
            if (key == "aws:principalorgid")
            {
                if (organization is not null && entry.Values.All(v => v == organization))
                {
                    return [];
                }

                continue;
            }

            if (key == "aws:principalorgpaths")
            {
                if (organization is not null && entry.Values.All(v => v.StartsWith(organization + "/", StringComparison.Ordinal)))
                {
                    return [];
                }

                continue;
            }

            var accounts = entry.Values.Select(v => key == "aws:principalarn" ? AccountOf(v) : v).ToList();
            if (accounts.All(a => a is { Length: 12 } && a.All(char.IsAsciiDigit)))
            {
                return accounts.Select(a => a!).ToList();
            }
        }

        return null;
    }

    /// <summary>The account of a principal element value (an account id or an ARN), or null for a service or an unreadable value.</summary>
    internal static string? AccountOf(string principal)
    {
        if (principal.Length == 12 && principal.All(char.IsAsciiDigit))
        {
            return principal;
        }

        var parts = principal.Split(':');
        return parts.Length > 4 && parts[0] == "arn" && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;
    }
}
