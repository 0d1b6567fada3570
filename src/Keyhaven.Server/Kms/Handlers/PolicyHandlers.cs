using Keyhaven.Kms;
using Keyhaven.Kms.Policies;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>GetKeyPolicy, PutKeyPolicy, ListKeyPolicies.</summary>
internal static class PolicyHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<GetKeyPolicyRequest, GetKeyPolicyResponse>("GetKeyPolicy", c.GetKeyPolicyRequest, c.GetKeyPolicyResponse,
            r => KmsAccess.Key("GetKeyPolicy", r.KeyId),
            async (caller, r, ct) =>
            new GetKeyPolicyResponse(await kms.Policies.GetAsync(caller, r.KeyId, r.PolicyName, ct), KeyPolicyDocument.DefaultName));
        yield return new KmsOperation<PutKeyPolicyRequest, EmptyResponse>("PutKeyPolicy", c.PutKeyPolicyRequest, c.EmptyResponse,
            r => [KmsAccess.Key("PutKeyPolicy", r.KeyId, context: KmsContext.Bypass(r.BypassPolicyLockoutSafetyCheck))[0] with
            {
                NewKeyPolicy = r.Policy, BypassLockoutCheck = r.BypassPolicyLockoutSafetyCheck == true,
            }],
            async (caller, r, ct) =>
        {
            await kms.Policies.PutAsync(caller, r.KeyId, r.PolicyName, r.Policy, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<ListKeyPoliciesRequest, ListKeyPoliciesResponse>("ListKeyPolicies", c.ListKeyPoliciesRequest, c.ListKeyPoliciesResponse,
            r => KmsAccess.Key("ListKeyPolicies", r.KeyId),
            async (caller, r, ct) =>
        {
            Paging.Limit(r.Limit, 1000);
            return new ListKeyPoliciesResponse([.. await kms.Policies.ListAsync(caller, r.KeyId, ct)], false);
        });
    }
}
