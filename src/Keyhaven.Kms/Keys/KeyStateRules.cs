using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Keys;

/// <summary>Which key states allow which operations, and the error each state gives (AWS KMS "Key states" table).</summary>
public static class KeyStateRules
{
    /// <summary>Cryptographic operations need an Enabled key.</summary>
    public static void EnsureUsable(KmsKey key)
    {
        switch (key.State)
        {
            case KeyState.Enabled:
                return;
            case KeyState.Disabled:
                KmsErrors.Throw(KmsErrorCode.DisabledException, $"{key.Arn} is disabled.");
                break;
            default:
                KmsErrors.Throw(KmsErrorCode.KMSInvalidStateException, $"{key.Arn} is {Describe(key.State)}.");
                break;
        }
    }

    /// <summary>Management operations that change a key refuse keys pending deletion (or pending their replicas' deletion).</summary>
    public static void EnsureNotPendingDeletion(KmsKey key)
    {
        if (key.State is KeyState.PendingDeletion or KeyState.PendingReplicaDeletion)
        {
            KmsErrors.Throw(KmsErrorCode.KMSInvalidStateException, $"{key.Arn} is {Describe(key.State)}.");
        }
    }

    /// <summary>EnableKey and DisableKey refuse a key waiting for imported material (or whose imported material expired).</summary>
    public static void EnsureHasMaterial(KmsKey key)
    {
        if (key.State == KeyState.PendingImport || key.Versions.IsEmpty)
        {
            KmsErrors.Throw(KmsErrorCode.KMSInvalidStateException, $"{key.Arn} is pending import.");
        }
    }

    private static string Describe(KeyState state) => state switch
    {
        KeyState.PendingDeletion => "pending deletion",
        KeyState.PendingImport => "pending import",
        KeyState.PendingReplicaDeletion => "pending replica deletion",
        KeyState.Unavailable => "unavailable",
        _ => state.ToString(),
    };
}
