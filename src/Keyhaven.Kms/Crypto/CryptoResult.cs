using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// What a cryptographic call produced. <see cref="Plaintext"/> is secret: the caller writes it to the response and
/// zeroes it. <see cref="SourceKey"/> is set only by ReEncrypt.
/// </summary>
public sealed record CryptoResult(KmsKey Key, byte[]? CiphertextBlob, byte[]? Plaintext, KmsKey? SourceKey = null);
