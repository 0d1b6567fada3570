namespace Keyhaven.Server.Governance;

/// <summary>
/// The condition keys whose values come from a request, not from the principal or the key: analysis asks about no
/// request in particular, so a statement conditioned on one of them allows (or denies) only some requests. Keys of
/// the principal (tags, account, organization, ARN) and of the key (tags, spec, usage, origin) are facts and are
/// evaluated as they are.
/// </summary>
internal static class RequestConditionKeys
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:SourceIp", "aws:VpcSourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
        "aws:SecureTransport", "aws:UserAgent", "aws:Referer", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:SourceIdentity",
        "aws:TokenIssueTime", "aws:ViaAWSService", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:SourceArn", "aws:SourceAccount",
        "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:TagKeys", "aws:ec2InstanceSourceVpc", "aws:ec2InstanceSourcePrivateIPv4",
        "ec2:SourceInstanceARN", "ec2:RoleDelivery",
        "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm", "kms:SigningAlgorithm", "kms:MacAlgorithm", "kms:KeyAgreementAlgorithm",
        "kms:MessageType", "kms:DataKeyPairSpec", "kms:GrantOperations", "kms:GrantConstraintType", "kms:GranteePrincipal", "kms:RetiringPrincipal",
        "kms:GrantIsForAWSResource", "kms:RequestAlias", "kms:ViaService", "kms:ReEncryptOnSameKey", "kms:BypassPolicyLockoutSafetyCheck",
        "kms:ScheduleKeyDeletionPendingWindowInDays", "kms:RotationPeriodInDays", "kms:WrappingAlgorithm", "kms:WrappingKeySpec",
        "kms:ExpirationModel", "kms:ValidTo",
    };

    private static readonly string[] Prefixes = ["kms:EncryptionContext:", "aws:RequestTag/", "kms:RecipientAttestation:"];

    /// <summary>The prefix of encryption-context condition keys.</summary>
    public const string EncryptionContextPrefix = "kms:EncryptionContext:";

    public static bool IsRequestKey(string key) =>
        Names.Contains(key) || Prefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
