using System.Security.Cryptography;
using Keyhaven.Kms.Crypto;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>RSAES-OAEP (RFC 8017 §7.1) with SHA-1 or SHA-256 and MGF1 of the same hash, as AWS KMS's RSA keys. Thread-safe.</summary>
internal static class RsaOaepCipher
{
    /// <summary>The largest plaintext OAEP can carry: modulus bytes − 2·hash bytes − 2.</summary>
    public static int MaxPlaintextLength(int modulusBits, string algorithm) => modulusBits / 8 - 2 * HashLength(algorithm) - 2;

    public static byte[] Encrypt(byte[] privateKey, ReadOnlySpan<byte> plaintext, string algorithm)
    {
        using var lease = ParsedKeyCache.RentRsa(privateKey);
        return lease.Key.Encrypt(plaintext.ToArray(), Padding(algorithm));
    }

    /// <summary>The plaintext, or null when the ciphertext does not decrypt (wrong key, algorithm or bytes).</summary>
    public static byte[]? TryDecrypt(byte[] privateKey, ReadOnlySpan<byte> ciphertext, string algorithm)
    {
        using var lease = ParsedKeyCache.RentRsa(privateKey);
        var rsa = lease.Key;
        if (ciphertext.Length != rsa.KeySize / 8)
        {
            return null;
        }

        try
        {
            return rsa.Decrypt(ciphertext.ToArray(), Padding(algorithm));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static int HashLength(string algorithm) => algorithm == EncryptionAlgorithm.RsaesOaepSha1 ? 20 : 32;

    private static RSAEncryptionPadding Padding(string algorithm) =>
        algorithm == EncryptionAlgorithm.RsaesOaepSha1 ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
}
