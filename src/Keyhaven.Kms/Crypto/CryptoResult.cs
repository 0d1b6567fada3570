using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// What a cryptographic call produced. <see cref="Plaintext"/> is secret: the caller writes it to the response and
/// zeroes it. <see cref="SourceKey"/> is set only by ReEncrypt.
/// </summary>
public sealed record CryptoResult(KmsKey Key, byte[]? CiphertextBlob, byte[]? Plaintext, KmsKey? SourceKey = null)
{
    /// <summary>The algorithm that encrypted (Encrypt, ReEncrypt's destination) or decrypted (Decrypt).</summary>
    public string EncryptionAlgorithm { get; init; } = Crypto.EncryptionAlgorithm.SymmetricDefault;

    /// <summary>ReEncrypt only: the algorithm that decrypted the source ciphertext.</summary>
    public string SourceEncryptionAlgorithm { get; init; } = Crypto.EncryptionAlgorithm.SymmetricDefault;
}
