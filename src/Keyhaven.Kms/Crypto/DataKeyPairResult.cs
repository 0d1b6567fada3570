using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// What GenerateDataKeyPair produced. <see cref="PrivateKeyPlaintext"/> (PKCS#8 DER) is secret: the caller writes it
/// to the response and zeroes it; it is null for GenerateDataKeyPairWithoutPlaintext.
/// </summary>
public sealed record DataKeyPairResult(KmsKey Key, byte[] PrivateKeyCiphertextBlob, byte[]? PrivateKeyPlaintext, byte[] PublicKey);
