using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Keyrings;

/// <summary>
/// Wraps data keys with AES-GCM under a key the caller holds (128, 192 or 256 bits), binding the serialized
/// encryption context as associated data. Thread safe; once disposed (the wrapping key zeroed) it throws
/// <see cref="ObjectDisposedException"/>, and a Dispose racing an operation waits for it to finish with the real key.
/// spec: framework/raw-aes-keyring.md
/// </summary>
public sealed class RawAesKeyring : IKeyring, IDisposable
{
    private const int TagBits = 128;
    private readonly byte[] _wrappingKey;
    private readonly byte[] _keyName;
    private readonly KeyUseGuard _guard;

    /// <param name="keyNamespace">The provider id written in each encrypted data key (must not start with "aws-kms").</param>
    /// <param name="keyName">Names the wrapping key inside the namespace.</param>
    /// <param name="wrappingKey">16, 24 or 32 bytes; copied.</param>
    public RawAesKeyring(string keyNamespace, string keyName, ReadOnlySpan<byte> wrappingKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyNamespace);
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        if (keyNamespace.StartsWith("aws-kms", StringComparison.Ordinal))
        {
            throw new ArgumentException("A raw keyring's namespace must not start with `aws-kms`.", nameof(keyNamespace));
        }

        if (wrappingKey.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"A raw AES wrapping key is 16, 24 or 32 bytes, not {wrappingKey.Length}.", nameof(wrappingKey));
        }

        KeyNamespace = keyNamespace;
        KeyName = keyName;
        _keyName = Encoding.UTF8.GetBytes(keyName);
        _wrappingKey = wrappingKey.ToArray();
        _guard = new KeyUseGuard(this, () => CryptographicOperations.ZeroMemory(_wrappingKey));
    }

    public string KeyNamespace { get; }

    public string KeyName { get; }

    /// <exception cref="ObjectDisposedException">The keyring was disposed.</exception>
    public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        using var use = _guard.Enter();
        if (materials.PlaintextDataKey is null)
        {
            materials.SetPlaintextDataKey(RandomNumberGenerator.GetBytes(materials.Suite.KeyLength));
        }

        var dataKey = materials.PlaintextDataKey!;
        var aad = EncryptionContextSerializer.Serialize(materials.EncryptionContext);
        var iv = RandomNumberGenerator.GetBytes(AlgorithmSuite.IvLength);
        var wrapped = new byte[dataKey.Length + AlgorithmSuite.TagLength];
        using (var aes = new AesGcm(_wrappingKey, AlgorithmSuite.TagLength))
        {
            aes.Encrypt(iv, dataKey, wrapped.AsSpan(0, dataKey.Length), wrapped.AsSpan(dataKey.Length), aad);
        }

        // spec: framework/raw-aes-keyring.md#onencrypt — provider info: key name, tag length (bits), IV length, IV.
        var info = new byte[_keyName.Length + 8 + AlgorithmSuite.IvLength];
        _keyName.CopyTo(info, 0);
        BinaryPrimitives.WriteInt32BigEndian(info.AsSpan(_keyName.Length), TagBits);
        BinaryPrimitives.WriteInt32BigEndian(info.AsSpan(_keyName.Length + 4), AlgorithmSuite.IvLength);
        iv.CopyTo(info, _keyName.Length + 8);
        materials.EncryptedDataKeys.Add(new EncryptedDataKey(KeyNamespace, info, wrapped));
        return ValueTask.CompletedTask;
    }

    /// <exception cref="ObjectDisposedException">The keyring was disposed.</exception>
    public ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        using var use = _guard.Enter();
        if (materials.PlaintextDataKey is not null)
        {
            return ValueTask.CompletedTask;
        }

        var aad = EncryptionContextSerializer.Serialize(materials.EncryptionContext);
        using var aes = new AesGcm(_wrappingKey, AlgorithmSuite.TagLength);
        foreach (var edk in encryptedDataKeys)
        {
            if (!IsOurs(edk, materials.Suite.KeyLength, out var iv))
            {
                continue;
            }

            var dataKey = new byte[materials.Suite.KeyLength];
            try
            {
                aes.Decrypt(iv, edk.Ciphertext.AsSpan(0, dataKey.Length), edk.Ciphertext.AsSpan(dataKey.Length), dataKey, aad);
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(dataKey);
                continue;
            }

            materials.SetPlaintextDataKey(dataKey);
            return ValueTask.CompletedTask;
        }

        return ValueTask.CompletedTask;
    }

    private bool IsOurs(EncryptedDataKey edk, int keyLength, out ReadOnlySpan<byte> iv)
    {
        iv = default;
        var info = edk.ProviderInfo.AsSpan();
        if (!string.Equals(edk.ProviderId, KeyNamespace, StringComparison.Ordinal)
            || info.Length != _keyName.Length + 8 + AlgorithmSuite.IvLength
            || !info[.._keyName.Length].SequenceEqual(_keyName)
            || BinaryPrimitives.ReadInt32BigEndian(info[_keyName.Length..]) != TagBits
            || BinaryPrimitives.ReadInt32BigEndian(info[(_keyName.Length + 4)..]) != AlgorithmSuite.IvLength
            || edk.Ciphertext.Length != keyLength + AlgorithmSuite.TagLength)
        {
            return false;
        }

        iv = info[(_keyName.Length + 8)..];
        return true;
    }

    /// <summary>Zeroes the wrapping key (after the operations in flight end); later operations throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _guard.Dispose();
}
