namespace Keyhaven.Encryption.Suites;

/// <summary>
/// Which algorithm suites a client may encrypt with and decrypt.
/// spec: framework/commitment-policy.md
/// </summary>
public enum CommitmentPolicy
{
    /// <summary>Encrypt and decrypt only with key-committing suites (0x0478, 0x0578). The default.</summary>
    RequireEncryptRequireDecrypt,

    /// <summary>Encrypt with key-committing suites; decrypt any suite.</summary>
    RequireEncryptAllowDecrypt,

    /// <summary>Encrypt only with non-committing suites (message format 1); decrypt any suite.</summary>
    ForbidEncryptAllowDecrypt,
}
