using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Compilation;

/// <summary>A compiled <c>Principal</c>/<c>NotPrincipal</c> element.</summary>
// spec: reference_policies_elements_principal.html
internal sealed class PrincipalMatcher
{
    private readonly bool _wildcard;
    private readonly string[] _accounts;
    private readonly string[] _arns;
    private readonly string[] _services;
    private readonly string[] _federated;

    public PrincipalMatcher(PrincipalSpec spec)
    {
        _wildcard = spec.IsWildcard || spec.Entries.Any(e => e.Kind == PrincipalKind.Aws && e.Value == "*");
        var accounts = new List<string>();
        var arns = new List<string>();
        foreach (var e in spec.Entries.Where(e => e.Kind == PrincipalKind.Aws && e.Value != "*"))
        {
            if (AccountId.TryParse(e.Value, out var id))
            {
                accounts.Add(id.Value);
            }
            else if (Arn.TryParse(e.Value, out var arn) && arn.Service.SequenceEqual("iam") && arn.Resource.SequenceEqual("root"))
            {
                accounts.Add(arn.Account.ToString());
            }
            else
            {
                arns.Add(e.Value);
            }
        }

        _accounts = accounts.ToArray();
        _arns = arns.ToArray();
        _services = spec.Entries.Where(e => e.Kind == PrincipalKind.Service).Select(e => e.Value).ToArray();
        _federated = spec.Entries.Where(e => e.Kind == PrincipalKind.Federated).Select(e => e.Value).ToArray();
    }

    /// <summary>
    /// The strongest way the element names <paramref name="p"/>. A user or role ARN bound in <paramref name="bindings"/>
    /// names only the principal with that unique id (for a role session, its role's id); a caller without a unique id
    /// never matches a bound ARN (fail closed).
    /// </summary>
    public PrincipalMatch Match(PrincipalIdentity p, PrincipalBindings bindings)
    {
        switch (p.Type)
        {
            case PrincipalType.Service:
                return Contains(_services, p.Arn, StringComparison.OrdinalIgnoreCase) ? PrincipalMatch.Exact
                    : _wildcard ? PrincipalMatch.Wildcard : PrincipalMatch.None;
            case PrincipalType.FederatedProvider:
                return Contains(_federated, p.Arn, StringComparison.Ordinal) ? PrincipalMatch.Exact
                    : _wildcard ? PrincipalMatch.Wildcard : PrincipalMatch.None;
            case PrincipalType.Anonymous:
                return _wildcard ? PrincipalMatch.Wildcard : PrincipalMatch.None;
        }

        if (ContainsArn(_arns, p.Arn, p.UniqueId, bindings) || (p.Type == PrincipalType.AccountRoot && Contains(_accounts, p.Account.Value, StringComparison.Ordinal)))
        {
            return PrincipalMatch.Exact;
        }

        if (_wildcard)
        {
            return PrincipalMatch.Wildcard;
        }

        if (p.Type == PrincipalType.RoleSession && p.RoleArn is not null && ContainsArn(_arns, p.RoleArn, p.UniqueId, bindings))
        {
            return PrincipalMatch.RoleArn;
        }

        return Contains(_accounts, p.Account.Value, StringComparison.Ordinal) ? PrincipalMatch.Account : PrincipalMatch.None;
    }

    /// <summary>True when <paramref name="arn"/> is listed and, if the listed ARN is bound to a unique id, <paramref name="uniqueId"/> is that id.</summary>
    private static bool ContainsArn(string[] arns, string arn, string? uniqueId, PrincipalBindings bindings)
    {
        foreach (var listed in arns)
        {
            if (string.Equals(listed, arn, StringComparison.Ordinal))
            {
                return !bindings.TryGetUniqueId(listed, out var bound) || string.Equals(bound, uniqueId, StringComparison.Ordinal);
            }
        }

        return false;
    }

    private static bool Contains(string[] values, string value, StringComparison comparison)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, value, comparison))
            {
                return true;
            }
        }

        return false;
    }
}
