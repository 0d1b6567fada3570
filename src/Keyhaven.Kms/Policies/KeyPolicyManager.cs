using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Policies;

/// <summary>GetKeyPolicy, PutKeyPolicy and ListKeyPolicies. Each key has one policy, named <c>default</c>.</summary>
/// <remarks>
/// The IAM user and role ARNs of a policy are bound to their unique ids when it is put (<see cref="IKeyPolicyPrincipals"/>):
/// a principal deleted and re-created under the same name no longer matches, and GetKeyPolicy shows the unique id instead.
/// </remarks>
public sealed class KeyPolicyManager(KeyManager keyManager, KeyResolver resolver, IKeyPolicyPrincipals policyPrincipals)
{
    public async Task<string> GetAsync(KmsCaller caller, string? keyId, string? policyName, CancellationToken cancellationToken)
    {
        EnsureDefaultName(policyName);
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        return key.PolicyPrincipalIds.IsEmpty ? key.Policy : await policyPrincipals.ShowAsync(key.Policy, key.PolicyPrincipalIds, cancellationToken);
    }

    /// <exception cref="KmsException">MalformedPolicyDocumentException also when the policy names a user or role of a known account that does not exist.</exception>
    public async Task<KmsKey> PutAsync(KmsCaller caller, string? keyId, string? policyName, string? policy, CancellationToken cancellationToken)
    {
        EnsureDefaultName(policyName);
        if (string.IsNullOrEmpty(policy))
        {
            KmsErrors.Validation("policy", "Member must have length greater than or equal to 1");
        }

        KeyPolicyDocument.Validate(policy);
        var target = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        var principalIds = await policyPrincipals.BindAsync(target.Account, policy, cancellationToken);
        return await keyManager.ChangeAsync(caller, keyId, key => key with { Policy = policy, PolicyPrincipalIds = principalIds }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken)
    {
        await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        return [KeyPolicyDocument.DefaultName];
    }

    private static void EnsureDefaultName(string? policyName)
    {
        if (policyName is not null && policyName != KeyPolicyDocument.DefaultName)
        {
            KmsErrors.Throw(KmsErrorCode.NotFoundException, $"No such policy exists: `{policyName}`; a key's only policy is named `default`.");
        }
    }
}
