using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings;

/// <summary>
/// Wraps data keys with RSA under a key pair the caller holds. A public key only encrypts; a private key also
/// decrypts. The provider info of each encrypted data key is the key name. Thread safe.
/// spec: framework/raw-rsa-keyring.md
/// </summary>
public sealed class RawRsaKeyring : IKeyring, IDisposable
{
    private readonly RSA _key;
    private readonly bool _hasPrivateKey;
    private readonly byte[] _keyName;

    /// <param name="key">The RSA key; the keyring takes ownership of it.</param>
    public RawRsaKeyring(string keyNamespace, string keyName, RSA key, RsaPadding padding)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyNamespace);
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentNullException.ThrowIfNull(key);
        if (keyNamespace.StartsWith("aws-kms", StringComparison.Ordinal))
        {
            throw new ArgumentException("A raw keyring's namespace must not start with `aws-kms`.", nameof(keyNamespace));
        }

        KeyNamespace = keyNamespace;
        KeyName = keyName;
        Padding = padding;
        _keyName = Encoding.UTF8.GetBytes(keyName);
        _key = key;
        _hasPrivateKey = HasPrivateKey(key);
    }

    /// <summary>A keyring from a PEM file's text: a public key (SubjectPublicKeyInfo or PKCS#1) or a private key (PKCS#8 or PKCS#1).</summary>
    public static RawRsaKeyring FromPem(string keyNamespace, string keyName, string pem, RsaPadding padding)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }

        return new RawRsaKeyring(keyNamespace, keyName, rsa, padding);
    }

    public string KeyNamespace { get; }

    public string KeyName { get; }

    public RsaPadding Padding { get; }

    public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        if (materials.PlaintextDataKey is null)
        {
            materials.SetPlaintextDataKey(RandomNumberGenerator.GetBytes(materials.Suite.KeyLength));
        }

        var wrapped = _key.Encrypt(materials.PlaintextDataKey!, Padding.ToPlatform());
        materials.EncryptedDataKeys.Add(new EncryptedDataKey(KeyNamespace, _keyName.ToArray(), wrapped));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        if (materials.PlaintextDataKey is not null || !_hasPrivateKey)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var edk in encryptedDataKeys)
        {
            if (!string.Equals(edk.ProviderId, KeyNamespace, StringComparison.Ordinal) || !edk.ProviderInfo.AsSpan().SequenceEqual(_keyName))
            {
                continue;
            }

            byte[] dataKey;
            try
            {
                dataKey = _key.Decrypt(edk.Ciphertext, Padding.ToPlatform());
            }
            catch (CryptographicException)
            {
                continue;
            }

            if (dataKey.Length != materials.Suite.KeyLength)
            {
                CryptographicOperations.ZeroMemory(dataKey);
                continue;
            }

            materials.SetPlaintextDataKey(dataKey);
            return ValueTask.CompletedTask;
        }

        return ValueTask.CompletedTask;
    }

    private static bool HasPrivateKey(RSA key)
    {
        try
        {
            key.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose() => _key.Dispose();
}
