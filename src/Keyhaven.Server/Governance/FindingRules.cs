namespace Keyhaven.Server.Governance;

/// <summary>The rule codes findings carry, grouped by the analyzer that raises them.</summary>
public static class FindingRules
{
    // External access
    public const string PublicAccess = "PUBLIC_ACCESS";
    public const string ExternalAccess = "EXTERNAL_ACCESS";

    // Separation of duties
    public const string SeparationOfDuties = "SEPARATION_OF_DUTIES";

    // Policy validation (the policy engine's validator; the issue code is in the description)
    public const string PolicyValidation = "POLICY_VALIDATION";

    // Compliance
    public const string RotationDisabled = "KEY_ROTATION_DISABLED";
    public const string PendingDeletionInUse = "KEY_PENDING_DELETION_IN_USE";
    public const string FullKmsAccess = "IDENTITY_POLICY_ALLOWS_KMS_ALL";
    public const string NoKeyAdministrator = "KEY_POLICY_WITHOUT_ADMINISTRATOR";
    public const string UnconstrainedGrant = "GRANT_WITHOUT_CONSTRAINTS";
    public const string UnusedKey = "UNUSED_KEY";
    public const string UnusedRole = "UNUSED_ROLE";
}
