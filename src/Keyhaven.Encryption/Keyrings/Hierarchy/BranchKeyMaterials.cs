using System.Security.Cryptography;

namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// A decrypted branch key: its id, version (a UUID string), custom encryption context and the 32-byte key.
/// Disposing zeroes the key. Not thread safe.
/// spec: framework/structures.md#branch-key-materials
/// </summary>
public sealed class BranchKeyMaterials : IDisposable
{
    public BranchKeyMaterials(string branchKeyIdentifier, string branchKeyVersion, IReadOnlyDictionary<string, string> encryptionContext, byte[] branchKey)
    {
        BranchKeyIdentifier = branchKeyIdentifier;
        BranchKeyVersion = branchKeyVersion;
        EncryptionContext = encryptionContext;
        BranchKey = branchKey;
    }

    public string BranchKeyIdentifier { get; }

    public string BranchKeyVersion { get; }

    /// <summary>The custom encryption context of the branch key (without the <c>aws-crypto-ec:</c> prefix).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext { get; }

    /// <summary>The plaintext branch key (32 bytes). Never log it.</summary>
    public byte[] BranchKey { get; }

    /// <summary>An independent copy (own key buffer), for caches.</summary>
    internal BranchKeyMaterials Clone() => new(BranchKeyIdentifier, BranchKeyVersion, EncryptionContext, (byte[])BranchKey.Clone());

    public void Dispose() => CryptographicOperations.ZeroMemory(BranchKey);
}
