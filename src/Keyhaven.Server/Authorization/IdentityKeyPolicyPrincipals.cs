using System.Collections.Immutable;
using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Policies;
using Keyhaven.Policy.Compilation;
using PolicyAccountId = Keyhaven.Policy.Arns.AccountId;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// Key policy principals over the identity store: a key policy's IAM user and role ARNs of the key's account (or of
/// its organization) are bound to their unique ids when it is saved, and a principal that no longer exists is shown
/// by its unique id. Thread-safe.
/// </summary>
internal sealed class IdentityKeyPolicyPrincipals(IdentityStore identity) : IKeyPolicyPrincipals
{
    public async Task<ImmutableSortedDictionary<string, string>> BindAsync(AccountId keyAccount, string policy, CancellationToken cancellationToken)
    {
        try
        {
            var bindings = await identity.BindPolicyPrincipalsAsync(PolicyAccountId.Parse(keyAccount.Value), policy, cancellationToken);
            return bindings.Entries.ToImmutableSortedDictionary(StringComparer.Ordinal);
        }
        catch (IdentityException exception) when (exception.Code == IdentityErrorCode.MalformedPolicyDocument)
        {
            // The message AWS KMS gives (the identity store names the principal; KMS does not).
            throw new KmsException(KmsErrorCode.MalformedPolicyDocumentException, "Policy contains a statement with one or more invalid principals.");
        }
    }

    public Task<string> ShowAsync(string policy, ImmutableSortedDictionary<string, string> principalIds, CancellationToken cancellationToken) =>
        identity.ShowPolicyAsync(policy, PrincipalBindings.Create(principalIds), cancellationToken);
}
