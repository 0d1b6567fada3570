// Wire shapes of the key policy operations (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record GetKeyPolicyRequest(string? KeyId, string? PolicyName);

internal sealed record GetKeyPolicyResponse(string Policy, string PolicyName);

internal sealed record PutKeyPolicyRequest(string? KeyId, string? PolicyName, string? Policy, bool? BypassPolicyLockoutSafetyCheck);

internal sealed record ListKeyPoliciesRequest(string? KeyId, int? Limit, string? Marker);

internal sealed record ListKeyPoliciesResponse(List<string> PolicyNames, bool Truncated);
