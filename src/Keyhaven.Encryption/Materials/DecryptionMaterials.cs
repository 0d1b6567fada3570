using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Materials;

/// <summary>
/// What decrypting one message needs: the suite, the encryption context (stored plus reproduced required pairs), the
/// plaintext data key once a keyring has unwrapped it, and the verification key (signed suites).
/// Not thread safe. Disposing zeroes the data key.
/// spec: framework/structures.md#decryption-materials
/// </summary>
public sealed class DecryptionMaterials : IDisposable
{
    public DecryptionMaterials(AlgorithmSuite suite, IReadOnlyDictionary<string, string> encryptionContext)
    {
        Suite = suite;
        EncryptionContext = encryptionContext;
    }

    public AlgorithmSuite Suite { get; }

    public IReadOnlyDictionary<string, string> EncryptionContext { get; }

    public byte[]? PlaintextDataKey { get; private set; }

    /// <summary>The ECDSA public key that verifies the footer (signed suites only).</summary>
    public ECDsa? VerificationKey { get; init; }

    /// <summary>Context keys that were authenticated but not stored (they came from the caller).</summary>
    public IReadOnlySet<string> RequiredEncryptionContextKeys { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Sets the data key; throws if one is already set or its length does not fit the suite.</summary>
    public void SetPlaintextDataKey(byte[] dataKey)
    {
        if (PlaintextDataKey is not null)
        {
            throw new InvalidOperationException("The decryption materials already have a plaintext data key.");
        }

        if (dataKey.Length != Suite.KeyLength)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The unwrapped data key is {dataKey.Length} bytes; suite {Suite} needs {Suite.KeyLength}.");
        }

        PlaintextDataKey = dataKey;
    }

    /// <summary>An independent copy (own data key and verification key), for caches.</summary>
    internal DecryptionMaterials Clone()
    {
        var copy = new DecryptionMaterials(Suite, EncryptionContext)
        {
            VerificationKey = VerificationKey is null ? null : SignatureKeys.Copy(VerificationKey, includePrivate: false),
            RequiredEncryptionContextKeys = RequiredEncryptionContextKeys,
        };
        if (PlaintextDataKey is not null)
        {
            copy.SetPlaintextDataKey((byte[])PlaintextDataKey.Clone());
        }

        return copy;
    }

    public void Dispose()
    {
        if (PlaintextDataKey is not null)
        {
            CryptographicOperations.ZeroMemory(PlaintextDataKey);
        }

        VerificationKey?.Dispose();
    }
}
