namespace Keyhaven.Encryption.Materials;

/// <summary>
/// Assembles the materials for one message. Implementations must be safe to call concurrently.
/// spec: framework/cmm-interface.md
/// </summary>
public interface ICryptographicMaterialsManager
{
    /// <summary>Materials to encrypt with; throws <see cref="EncryptionSdkException"/> when none can be made.</summary>
    ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Materials with the unwrapped data key; throws <see cref="EncryptionSdkException"/> when none can be made.</summary>
    ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default);
}
