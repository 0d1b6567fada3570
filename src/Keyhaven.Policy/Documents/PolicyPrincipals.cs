using Keyhaven.Policy.Arns;

namespace Keyhaven.Policy.Documents;

/// <summary>
/// The IAM user and role ARNs a resource-based policy names, and the policy as AWS shows it once some of them no
/// longer stand for the principal they were bound to (the unique id in place of the ARN). Pure.
/// </summary>
// spec: IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
public static class PolicyPrincipals
{
    /// <summary>
    /// Every distinct <c>AWS</c> principal of <c>Principal</c> and <c>NotPrincipal</c> elements that is an IAM user or
    /// role ARN (<c>arn:PARTITION:iam::ACCOUNT:user/…</c> or <c>…:role/…</c>), as written, in document order.
    /// Account ids, <c>:root</c> ARNs, <c>*</c>, services and federated principals are not listed.
    /// </summary>
    public static IReadOnlyList<string> UserAndRoleArns(PolicyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var arns = new List<string>();
        foreach (var statement in document.Statements)
        {
            foreach (var spec in (ReadOnlySpan<PrincipalSpec?>)[statement.Principal, statement.NotPrincipal])
            {
                foreach (var entry in spec?.Entries ?? ValueList<PrincipalEntry>.Empty)
                {
                    if (entry.Kind == PrincipalKind.Aws && IsUserOrRoleArn(entry.Value) && !arns.Contains(entry.Value, StringComparer.Ordinal))
                    {
                        arns.Add(entry.Value);
                    }
                }
            }
        }

        return arns;
    }

    /// <summary>True for <c>arn:PARTITION:iam::ACCOUNT:user/…</c> and <c>arn:PARTITION:iam::ACCOUNT:role/…</c>.</summary>
    public static bool IsUserOrRoleArn(string value) =>
        Arn.TryParse(value, out var arn) && arn.Service.SequenceEqual("iam") && AccountId.TryParse(arn.Account, out _)
        && ((arn.Resource.StartsWith("user/") && arn.Resource.Length > 5) || (arn.Resource.StartsWith("role/") && arn.Resource.Length > 5));

    /// <summary>
    /// <paramref name="json"/> with every <c>AWS</c> principal listed in <paramref name="replacements"/> replaced by its
    /// replacement (the unique id of a deleted principal), printed as indented canonical JSON; <paramref name="json"/>
    /// itself when nothing is replaced or it does not parse.
    /// </summary>
    public static string Replace(string json, IReadOnlyDictionary<string, string> replacements)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(replacements);
        if (replacements.Count == 0)
        {
            return json;
        }

        var parsed = PolicyParser.Parse(json);
        if (!parsed.IsSuccess)
        {
            return json;
        }

        var statements = parsed.Document.Statements.Select(s => s with { Principal = Replace(s.Principal, replacements), NotPrincipal = Replace(s.NotPrincipal, replacements) });
        return PolicyWriter.Write(parsed.Document with { Statements = new ValueList<PolicyStatement>(statements) }, indented: true);
    }

    private static PrincipalSpec? Replace(PrincipalSpec? spec, IReadOnlyDictionary<string, string> replacements) =>
        spec is null || spec.IsWildcard ? spec
            : spec with
            {
                Entries = new ValueList<PrincipalEntry>(spec.Entries.Select(e =>
                    e.Kind == PrincipalKind.Aws && replacements.TryGetValue(e.Value, out var id) ? e with { Value = id } : e)),
            };
}
