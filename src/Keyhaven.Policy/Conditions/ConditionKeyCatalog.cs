namespace Keyhaven.Policy.Conditions;

/// <summary>Known global, KMS and IAM condition keys and whether they are single- or multi-valued (for validation findings).</summary>
// spec: reference_policies_condition-keys.html, kms/latest/developerguide/conditions-kms.html
internal static class ConditionKeyCatalog
{
    private static readonly HashSet<string> MultiValued = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:TagKeys", "aws:CalledVia", "aws:PrincipalOrgPaths", "aws:PrincipalServiceNamesList", "aws:SourceOrgPaths",
        "aws:ResourceOrgPaths", "kms:EncryptionContextKeys", "kms:GrantOperations", "kms:ResourceAliases",
    };

    private static readonly HashSet<string> SingleValued = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:username", "aws:userid",
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalType", "aws:PrincipalIsAWSService",
        "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge",
        "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:SourceAccount", "aws:SourceArn",
        "aws:SourceOrgID", "aws:ViaAWSService", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:TokenIssueTime",
        "aws:Referer", "aws:UserAgent", "aws:FederatedProvider", "aws:SourceIdentity",
        "aws:SourceVpcArn", "aws:VpceAccount", "aws:VpceOrgID", "aws:ec2InstanceSourceVpc", "aws:ec2InstanceSourcePrivateIPv4",
        "ec2:SourceInstanceARN", "ec2:RoleDelivery",
        "kms:CallerAccount", "kms:ViaService", "kms:EncryptionAlgorithm", "kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin",
        "kms:GrantIsForAWSResource", "kms:GranteePrincipal", "kms:RetiringPrincipal", "kms:MessageType",
        "kms:SigningAlgorithm", "kms:MacAlgorithm", "kms:BypassPolicyLockoutSafetyCheck", "kms:RequestAlias",
        "kms:KeyAgreementAlgorithm", "kms:CustomerMasterKeySpec", "kms:CustomerMasterKeyUsage", "kms:ExpirationModel",
        "kms:ValidTo", "kms:WrappingAlgorithm", "kms:WrappingKeySpec", "kms:ScheduleKeyDeletionPendingWindowInDays",
        "kms:RotationPeriodInDays", "kms:MultiRegion", "kms:MultiRegionKeyType", "kms:DataKeyPairSpec",
        "kms:GrantConstraintType", "kms:ReEncryptOnSameKey", "iam:PolicyARN", "iam:PermissionsBoundary",
    };

    // spec: kms/latest/developerguide/conditions-nitro-enclaves.html (kms:RecipientAttestation:ImageSha384, …:PCR<n>: single-valued)
    private static readonly string[] SingleValuedPrefixes =
        ["aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/", "kms:EncryptionContext:", "kms:RecipientAttestation:"];

    public static bool IsSingleValued(string key)
    {
        if (SingleValued.Contains(key))
        {
            return true;
        }

        foreach (var prefix in SingleValuedPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.Length > prefix.Length)
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsMultiValued(string key) => MultiValued.Contains(key);
}
