namespace Keyhaven.Kms.Keys;

/// <summary>The key states of AWS KMS; names match the wire values.</summary>
public enum KeyState
{
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,

    /// <summary>A multi-Region primary key scheduled for deletion while it still has replicas; its waiting period starts when the last replica is deleted.</summary>
    PendingReplicaDeletion,
    Unavailable,
}
