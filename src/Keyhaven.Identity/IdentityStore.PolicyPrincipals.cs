using Keyhaven.Identity.Errors;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>
    /// Binds the IAM user and role ARNs that <paramref name="policy"/> (a resource-based policy of
    /// <paramref name="owner"/>: a trust policy or a KMS key policy) names to their unique ids, as AWS does when the
    /// policy is saved. ARNs of accounts this deployment does not know (neither <paramref name="owner"/> nor a member of
    /// its organization) stay unbound; account roots, services and <c>*</c> are never bound. Returns
    /// <see cref="PrincipalBindings.Empty"/> for a document the parser rejects (the caller's validation reports it).
    /// </summary>
    /// <exception cref="IdentityException"><c>MalformedPolicyDocument</c> when a user or role ARN of a known account names no existing principal.</exception>
    // spec: IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    public async Task<PrincipalBindings> BindPolicyPrincipalsAsync(AccountId owner, string policy, CancellationToken cancellationToken)
    {
        var parsed = PolicyParser.Parse(policy, PolicyLimits.Stored);
        if (!parsed.IsSuccess)
        {
            return PrincipalBindings.Empty;
        }

        var ids = new List<KeyValuePair<string, string>>();
        foreach (var arn in PolicyPrincipals.UserAndRoleArns(parsed.Document))
        {
            var account = AccountId.Parse(Arn.Parse(arn).Account.ToString());
            if (!await IsKnownAccountAsync(owner, account, cancellationToken))
            {
                continue;
            }

            var id = await FindUniqueIdAsync(arn, cancellationToken)
                ?? throw new IdentityException(IdentityErrorCode.MalformedPolicyDocument, $"Invalid principal in policy: \"AWS\":\"{arn}\"");
            ids.Add(KeyValuePair.Create(arn, id));
        }

        return PrincipalBindings.Create(ids);
    }

    /// <summary>
    /// <paramref name="policy"/> as IAM and KMS show it: a bound ARN whose principal was deleted (or deleted and
    /// re-created, so that it has another unique id) appears as the unique id it was bound to; otherwise the text as stored.
    /// </summary>
    public async Task<string> ShowPolicyAsync(string policy, PrincipalBindings bindings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (arn, id) in bindings.Entries)
        {
            if (!string.Equals(await FindUniqueIdAsync(arn, cancellationToken), id, StringComparison.Ordinal))
            {
                replacements[arn] = id;
            }
        }

        return PolicyPrincipals.Replace(policy, replacements);
    }

    /// <summary>True for <paramref name="owner"/> and, when it is in an organization, the organization's accounts.</summary>
    private async ValueTask<bool> IsKnownAccountAsync(AccountId owner, AccountId account, CancellationToken cancellationToken) =>
        account == owner
        || (await Organizations.GetGuardrailsAsync(owner.Value, cancellationToken) is { } ownerGuardrails
            && await Organizations.GetGuardrailsAsync(account.Value, cancellationToken) is { } accountGuardrails
            && ownerGuardrails.ManagementAccount == accountGuardrails.ManagementAccount);

    /// <summary>The unique id of the user or role <paramref name="arn"/> names (path included), or null when there is none.</summary>
    private async ValueTask<string?> FindUniqueIdAsync(string arn, CancellationToken cancellationToken)
    {
        if (!Arn.TryParse(arn, out var parsed) || !AccountId.TryParse(parsed.Account, out var account))
        {
            return null;
        }

        var resource = parsed.Resource;
        var name = resource[(resource.LastIndexOf('/') + 1)..].ToString();
        if (resource.StartsWith("user/"))
        {
            var user = await FindUserAsync(account.Value, name, cancellationToken);
            return user is not null && string.Equals(user.Arn, arn, StringComparison.Ordinal) ? user.UserId : null;
        }

        if (resource.StartsWith("role/"))
        {
            var role = await FindRoleAsync(account.Value, name, cancellationToken);
            return role is not null && string.Equals(role.Arn, arn, StringComparison.Ordinal) ? role.RoleId : null;
        }

        return null;
    }
}
