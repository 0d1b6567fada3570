using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Materials;

/// <summary>
/// What encrypting one message needs: the suite, the full encryption context, the plaintext data key, its encrypted
/// copies, the signing key (signed suites) and which context keys are authenticated but not stored.
/// Keyrings fill <see cref="PlaintextDataKey"/> (the generator) and add to <see cref="EncryptedDataKeys"/>.
/// Not thread safe. Disposing zeroes the data key and the signing key.
/// spec: framework/structures.md#encryption-materials
/// </summary>
public sealed class EncryptionMaterials : IDisposable
{
    public EncryptionMaterials(AlgorithmSuite suite, IReadOnlyDictionary<string, string> encryptionContext)
    {
        Suite = suite;
        EncryptionContext = encryptionContext;
    }

    public AlgorithmSuite Suite { get; }

    /// <summary>The full context (stored pairs plus required, authenticate-only pairs).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext { get; }

    /// <summary>The data key, set once by the generating keyring.</summary>
    public byte[]? PlaintextDataKey { get; private set; }

    public List<EncryptedDataKey> EncryptedDataKeys { get; } = [];

    /// <summary>The ECDSA key that signs the message (signed suites only).</summary>
    public ECDsa? SigningKey { get; init; }

    /// <summary>Context keys authenticated but not stored in the message (the caller must supply them on decrypt).</summary>
    public IReadOnlySet<string> RequiredEncryptionContextKeys { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Sets the data key; throws if one is already set or its length does not fit the suite.</summary>
    public void SetPlaintextDataKey(byte[] dataKey)
    {
        if (PlaintextDataKey is not null)
        {
            throw new InvalidOperationException("The encryption materials already have a plaintext data key.");
        }

        if (dataKey.Length != Suite.KeyLength)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The data key is {dataKey.Length} bytes; suite {Suite} needs {Suite.KeyLength}.");
        }

        PlaintextDataKey = dataKey;
    }

    /// <summary>
    /// An independent copy (own data key and signing key buffers), so a cache can hand out materials that each caller
    /// disposes without touching the cached ones.
    /// </summary>
    internal EncryptionMaterials Clone()
    {
        var copy = new EncryptionMaterials(Suite, EncryptionContext)
        {
            SigningKey = SigningKey is null ? null : SignatureKeys.Copy(SigningKey, includePrivate: true),
            RequiredEncryptionContextKeys = RequiredEncryptionContextKeys,
        };
        if (PlaintextDataKey is not null)
        {
            copy.SetPlaintextDataKey((byte[])PlaintextDataKey.Clone());
        }

        copy.EncryptedDataKeys.AddRange(EncryptedDataKeys);
        return copy;
    }

    public void Dispose()
    {
        if (PlaintextDataKey is not null)
        {
            CryptographicOperations.ZeroMemory(PlaintextDataKey);
        }

        SigningKey?.Dispose();
    }
}
