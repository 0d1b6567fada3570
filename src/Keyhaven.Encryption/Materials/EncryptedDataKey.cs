namespace Keyhaven.Encryption.Materials;

/// <summary>
/// A data key wrapped by one wrapping key: who wrapped it (provider id, provider info) and the wrapped bytes.
/// spec: framework/structures.md#encrypted-data-key
/// </summary>
public sealed record EncryptedDataKey(string ProviderId, byte[] ProviderInfo, byte[] Ciphertext);
