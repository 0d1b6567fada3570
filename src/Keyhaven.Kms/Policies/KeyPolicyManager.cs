using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Policies;

/// <summary>GetKeyPolicy, PutKeyPolicy and ListKeyPolicies. Each key has one policy, named <c>default</c>.</summary>
public sealed class KeyPolicyManager(KeyManager keyManager, KeyResolver resolver)
{
    public async Task<string> GetAsync(KmsCaller caller, string? keyId, string? policyName, CancellationToken cancellationToken)
    {
        EnsureDefaultName(policyName);
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        return key.Policy;
    }

    public Task<KmsKey> PutAsync(KmsCaller caller, string? keyId, string? policyName, string? policy, CancellationToken cancellationToken)
    {
        EnsureDefaultName(policyName);
        if (string.IsNullOrEmpty(policy))
        {
            KmsErrors.Validation("policy", "Member must have length greater than or equal to 1");
        }

        KeyPolicyDocument.Validate(policy);
        return keyManager.ChangeAsync(caller, keyId, key => key with { Policy = policy }, cancellationToken);
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
