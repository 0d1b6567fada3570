using System.Collections.Immutable;
using Keyhaven.Kms.Accounts;

namespace Keyhaven.Kms.Policies;

/// <summary>
/// The identity side of key policies: binds the IAM user and role ARNs a key policy names to their unique ids when the
/// policy is saved, and shows a stored policy as GetKeyPolicy returns it. The host implements it over its identity
/// store; the KMS domain stores the binding with the key (<see cref="Keys.KmsKey.PolicyPrincipalIds"/>).
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
// spec: kms/latest/developerguide/key-policy-overview.html (a deleted principal appears as its unique id in the key policy)
public interface IKeyPolicyPrincipals
{
    /// <summary>
    /// The unique id of every IAM user and role ARN in <paramref name="policy"/> that belongs to an account the host
    /// knows (an ARN of another account stays unbound and matches by its text).
    /// </summary>
    /// <exception cref="Errors.KmsException">MalformedPolicyDocumentException when such an ARN names no existing user or role.</exception>
    Task<ImmutableSortedDictionary<string, string>> BindAsync(AccountId keyAccount, string policy, CancellationToken cancellationToken);

    /// <summary>The policy as GetKeyPolicy returns it: a bound principal that no longer exists appears as its unique id.</summary>
    Task<string> ShowAsync(string policy, ImmutableSortedDictionary<string, string> principalIds, CancellationToken cancellationToken);
}
