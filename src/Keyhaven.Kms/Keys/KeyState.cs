namespace Keyhaven.Kms.Keys;

/// <summary>The key states of AWS KMS; names match the wire values.</summary>
public enum KeyState
{
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    Unavailable,
}
