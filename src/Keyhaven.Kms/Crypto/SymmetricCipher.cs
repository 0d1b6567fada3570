using System.Buffers;
using System.Security.Cryptography;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// Encrypts under a symmetric KMS key: a per-message AES-256 key is derived with HKDF-SHA256 from the key version's
/// material and a random 16-byte salt, then AES-256-GCM with a random 12-byte nonce seals the plaintext, with the
/// blob header and the canonical encryption context as associated data. Deriving a key per message keeps each GCM
/// key far below its usage bounds however many messages a key version encrypts. Thread-safe.
/// </summary>
internal static class SymmetricCipher
{
    private static readonly byte[] DerivationInfo = "keyhaven/kms/symmetric/v1"u8.ToArray();
    private const int StackLimit = 512;

    public static byte[] Encrypt(KmsKey key, ReadOnlySpan<byte> plaintext, EncryptionContext context, IRandomSource random)
    {
        var version = key.CurrentVersion;
        var headerLength = CiphertextBlob.HeaderLengthFor(key);
        var blob = new byte[headerLength + plaintext.Length + CiphertextBlob.TagLength];
        CiphertextBlob.WriteHeader(blob, key, version.Ordinal);
        var saltAndNonce = blob.AsSpan(headerLength - CiphertextBlob.NonceLength - CiphertextBlob.SaltLength, CiphertextBlob.SaltLength + CiphertextBlob.NonceLength);
        random.Fill(saltAndNonce);

        Span<byte> messageKey = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, version.Material, messageKey, saltAndNonce[..CiphertextBlob.SaltLength], DerivationInfo);
        var aadLength = headerLength + context.SerializedLength;
        byte[]? rented = aadLength > StackLimit ? ArrayPool<byte>.Shared.Rent(aadLength) : null;
        var aad = rented is null ? stackalloc byte[aadLength] : rented.AsSpan(0, aadLength);
        try
        {
            blob.AsSpan(0, headerLength).CopyTo(aad);
            context.WriteCanonical(aad[headerLength..]);
            using var aes = new AesGcm(messageKey, CiphertextBlob.TagLength);
            aes.Encrypt(saltAndNonce[CiphertextBlob.SaltLength..], plaintext, blob.AsSpan(headerLength, plaintext.Length),
                blob.AsSpan(blob.Length - CiphertextBlob.TagLength), aad);
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(messageKey);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Opens a parsed blob with the version it names; null when the version is unknown or authentication fails.</summary>
    public static byte[]? TryDecrypt(KmsKey key, CiphertextBlob blob, EncryptionContext context)
    {
        var version = key.FindVersion(blob.KeyVersion);
        if (version is null)
        {
            return null;
        }

        Span<byte> messageKey = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, version.Material, messageKey, blob.Salt, DerivationInfo);
        var aadLength = blob.HeaderLength + context.SerializedLength;
        byte[]? rented = aadLength > StackLimit ? ArrayPool<byte>.Shared.Rent(aadLength) : null;
        var aad = rented is null ? stackalloc byte[aadLength] : rented.AsSpan(0, aadLength);
        var plaintext = new byte[blob.Ciphertext.Length];
        try
        {
            blob.Header.CopyTo(aad);
            context.WriteCanonical(aad[blob.HeaderLength..]);
            using var aes = new AesGcm(messageKey, CiphertextBlob.TagLength);
            aes.Decrypt(blob.Nonce, blob.Ciphertext, blob.Tag, plaintext, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(messageKey);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
