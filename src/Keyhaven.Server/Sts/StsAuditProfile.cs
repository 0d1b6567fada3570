using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Sts;

/// <summary>
/// What the audit trail records of each STS operation: as CloudTrail, the role, session name, duration and the new
/// credentials' access key id and expiration; never the secret access key or the session token.
/// </summary>
internal static class StsAuditProfile
{
    public static readonly AuditProfile Instance = new("sts.amazonaws.com", AuditProtocol.Query, "InternalFailure",
    [
        Of("GetCallerIdentity", readOnly: true),
        Of("AssumeRole", "RoleArn RoleSessionName DurationSeconds ExternalId Policy PolicyArns Tags TransitiveTagKeys SourceIdentity",
            "AssumedRoleUser Credentials.AccessKeyId Credentials.Expiration PackedPolicySize SourceIdentity", readOnly: true),
        // Never the WebIdentityToken: it is a bearer credential.
        Of("AssumeRoleWithWebIdentity", "RoleArn RoleSessionName DurationSeconds Policy PolicyArns ProviderId",
            "AssumedRoleUser Credentials.AccessKeyId Credentials.Expiration PackedPolicySize Provider Audience SubjectFromWebIdentityToken SourceIdentity", readOnly: true),
        Of("GetSessionToken", "DurationSeconds", "Credentials.AccessKeyId Credentials.Expiration", readOnly: true),
        Of("GetAccessKeyInfo", "AccessKeyId", readOnly: true),
    ]);
}
