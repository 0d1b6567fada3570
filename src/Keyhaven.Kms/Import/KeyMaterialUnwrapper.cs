using System.Security.Cryptography;

namespace Keyhaven.Kms.Import;

/// <summary>
/// Unwraps key material encrypted to an import wrapping key, as AWS KMS documents:
/// RSAES_OAEP_SHA_1/256 is RSA-OAEP over the material; RSA_AES_KEY_WRAP_SHA_1/256 is RSA-OAEP over an ephemeral
/// 256-bit AES key, followed by the material wrapped with that key by AES Key Wrap with Padding (RFC 5649), which is
/// what <c>openssl enc -id-aes256-wrap-pad</c> produces. Thread-safe.
/// </summary>
internal static class KeyMaterialUnwrapper
{
    /// <summary>The material, or null when the bytes do not unwrap with this key and algorithm.</summary>
    public static byte[]? TryUnwrap(byte[] wrappingKey, WrappingAlgorithm algorithm, byte[] encrypted)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(wrappingKey, out _);
        var modulusLength = rsa.KeySize / 8;
        var padding = algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaAesKeyWrapSha1 ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        try
        {
            if (algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaesOaepSha256)
            {
                return encrypted.Length == modulusLength ? rsa.Decrypt(encrypted, padding) : null;
            }

            // spec: kms/latest/developerguide/importing-keys-encrypt-key-material.html (RSA_AES_KEY_WRAP_SHA_*)
            // RFC 5649 output is a whole number of 64-bit blocks, at least two.
            var wrappedLength = encrypted.Length - modulusLength;
            if (wrappedLength < 16 || wrappedLength % 8 != 0)
            {
                return null;
            }

            var aesKey = rsa.Decrypt(encrypted.AsSpan(0, modulusLength).ToArray(), padding);
            try
            {
                if (aesKey.Length != 32)
                {
                    return null;
                }

                using var aes = Aes.Create();
                aes.SetKey(aesKey);
                return aes.DecryptKeyWrapPadded(encrypted.AsSpan(modulusLength));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(aesKey);
            }
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
