using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Wraps and unwraps one data key under a branch key: a per-data-key wrapping key derived with the NIST SP 800-108
/// counter-mode KDF (HMAC-SHA256, label "aws-kms-hierarchy", context the random 16-byte salt), AES-256-GCM with the
/// provider id, branch key id, version and serialized encryption context as associated data. Ciphertext layout:
/// salt (16) | IV (12) | version (16, the UUID's bytes) | encrypted key | tag (16).
/// spec: framework/aws-kms/aws-kms-hierarchical-keyring.md#branch-key-wrapping,
/// #branch-key-unwrapping, #branch-key-wrapping-and-unwrapping-aad, #ciphertext
/// </summary>
internal static class BranchKeyWrapping
{
    public const string ProviderId = "aws-kms-hierarchy";
    public const int SaltLength = 16;
    public const int VersionLength = 16;
    private const int DerivedKeyLength = 32;
    private static readonly byte[] Label = Encoding.UTF8.GetBytes(ProviderId);

    public static int CiphertextLength(int dataKeyLength) => SaltLength + AlgorithmSuite.IvLength + VersionLength + dataKeyLength + AlgorithmSuite.TagLength;

    /// <summary>The 16 bytes of a UUID version string (RFC 4122 byte order).</summary>
    public static byte[] VersionBytes(string version) => Guid.Parse(version).ToByteArray(bigEndian: true);

    /// <summary>The UUID string of 16 version bytes (lower case, as branch key stores write it).</summary>
    public static string VersionString(ReadOnlySpan<byte> bytes) => new Guid(bytes, bigEndian: true).ToString();

    public static byte[] Wrap(BranchKeyMaterials branchKey, ReadOnlySpan<byte> dataKey, IReadOnlyDictionary<string, string> encryptionContext)
    {
        var version = VersionBytes(branchKey.BranchKeyVersion);
        var output = new byte[CiphertextLength(dataKey.Length)];
        var salt = output.AsSpan(0, SaltLength);
        var iv = output.AsSpan(SaltLength, AlgorithmSuite.IvLength);
        RandomNumberGenerator.Fill(salt);
        RandomNumberGenerator.Fill(iv);
        version.CopyTo(output, SaltLength + AlgorithmSuite.IvLength);
        var body = output.AsSpan(SaltLength + AlgorithmSuite.IvLength + VersionLength);
        var wrappingKey = DeriveWrappingKey(branchKey.BranchKey, salt);
        try
        {
            using var aes = new AesGcm(wrappingKey, AlgorithmSuite.TagLength);
            aes.Encrypt(iv, dataKey, body[..dataKey.Length], body[dataKey.Length..], Aad(branchKey.BranchKeyIdentifier, version, encryptionContext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }

        return output;
    }

    /// <summary>The data key, or null when the tag does not verify (wrong branch key, context or tampering).</summary>
    public static byte[]? TryUnwrap(BranchKeyMaterials branchKey, ReadOnlySpan<byte> ciphertext, int dataKeyLength, IReadOnlyDictionary<string, string> encryptionContext)
    {
        // INVARIANT: the caller checked ciphertext.Length == CiphertextLength(dataKeyLength).
        var salt = ciphertext[..SaltLength];
        var iv = ciphertext.Slice(SaltLength, AlgorithmSuite.IvLength);
        var version = ciphertext.Slice(SaltLength + AlgorithmSuite.IvLength, VersionLength);
        var body = ciphertext[(SaltLength + AlgorithmSuite.IvLength + VersionLength)..];
        var wrappingKey = DeriveWrappingKey(branchKey.BranchKey, salt);
        var dataKey = new byte[dataKeyLength];
        try
        {
            using var aes = new AesGcm(wrappingKey, AlgorithmSuite.TagLength);
            aes.Decrypt(iv, body[..dataKeyLength], body[dataKeyLength..], dataKey, Aad(branchKey.BranchKeyIdentifier, version, encryptionContext));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }
    }

    // NIST SP 800-108r1 KDF in counter mode: HMAC-SHA256(key, [i]_32 || label || 0x00 || context || [L]_32).
    internal static byte[] DeriveWrappingKey(ReadOnlySpan<byte> branchKey, ReadOnlySpan<byte> salt) =>
        SP800108HmacCounterKdf.DeriveBytes(branchKey, HashAlgorithmName.SHA256, Label, salt, DerivedKeyLength);

    private static byte[] Aad(string branchKeyId, ReadOnlySpan<byte> version, IReadOnlyDictionary<string, string> encryptionContext) =>
        [.. Label, .. Encoding.UTF8.GetBytes(branchKeyId), .. version, .. EncryptionContextSerializer.Serialize(encryptionContext)];
}
