using System.Collections.Immutable;
using Keyhaven.Kms.Accounts;

namespace Keyhaven.Kms.Policies;

/// <summary>
/// The key policy principals of a KMS domain without an identity store (it knows no users or roles): nothing is bound,
/// so every principal matches by its ARN, and policies are shown as stored.
/// </summary>
internal sealed class UnboundKeyPolicyPrincipals : IKeyPolicyPrincipals
{
    public static UnboundKeyPolicyPrincipals Instance { get; } = new();

    public Task<ImmutableSortedDictionary<string, string>> BindAsync(AccountId keyAccount, string policy, CancellationToken cancellationToken) =>
        Task.FromResult(ImmutableSortedDictionary<string, string>.Empty);

    public Task<string> ShowAsync(string policy, ImmutableSortedDictionary<string, string> principalIds, CancellationToken cancellationToken) =>
        Task.FromResult(policy);
}
