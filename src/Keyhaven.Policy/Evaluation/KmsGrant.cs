namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// A KMS grant as plain data: an additional allow path for one key, independent of the key policy and IAM policies.
/// Explicit denies, SCPs, RCPs and VPC endpoint policies still apply.
/// </summary>
/// <param name="GrantId">Reported in explanations.</param>
/// <param name="KeyArn">The key the grant is on; the grant only applies to requests on this resource.</param>
/// <param name="GranteePrincipal">A user, role or account-root ARN; a role also covers its sessions.</param>
/// <param name="Operations">Grant operations without the <c>kms:</c> prefix (<c>Decrypt</c>, <c>GenerateDataKey</c>...).</param>
/// <param name="Constraints">Optional encryption-context constraints.</param>
// spec: kms/latest/developerguide/grants.html
public sealed record KmsGrant(string GrantId, string KeyArn, string GranteePrincipal, IReadOnlyList<string> Operations, GrantConstraints? Constraints = null);
