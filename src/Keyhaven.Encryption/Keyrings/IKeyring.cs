using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings;

/// <summary>
/// Generates, wraps and unwraps data keys. Implementations must be safe to call concurrently.
/// spec: framework/keyring-interface.md
/// </summary>
public interface IKeyring
{
    /// <summary>
    /// Generates the data key if the materials have none, then adds this keyring's encrypted copy of it.
    /// Throws <see cref="EncryptionSdkException"/> (reason <see cref="EncryptionSdkErrorReason.KeyringFailure"/>) when it cannot.
    /// </summary>
    ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default);

    /// <summary>
    /// If the materials have no data key yet, tries to unwrap one of <paramref name="encryptedDataKeys"/> and sets it.
    /// Returns without a key when none is decryptable by this keyring.
    /// </summary>
    ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default);
}
