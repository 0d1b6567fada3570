using System.Security.Cryptography;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Signing;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>
/// Signs and verifies with the private key of a key version, dispatching on the key spec: RSA and ECDSA through
/// System.Security.Cryptography (OpenSSL), Ed25519 and ML-DSA through <see cref="BouncyCastleAdapter"/>. The caller
/// (<see cref="SigningOperations"/>) has already checked that the algorithm fits the key and the message its type.
/// Thread-safe.
/// </summary>
internal static class AsymmetricSigner
{
    public static byte[] Sign(KeySpec spec, byte[] privateKey, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message)
    {
        if (KeySpecRules.IsRsa(spec))
        {
            using var lease = ParsedKeyCache.RentRsa(privateKey);
            var (hash, padding) = RsaParameters(algorithm);
            return type == MessageType.Digest ? lease.Key.SignHash(message, hash, padding) : lease.Key.SignData(message, hash, padding);
        }

        if (KeySpecRules.IsEllipticCurve(spec))
        {
            using var lease = ParsedKeyCache.RentEcdsa(privateKey);
            // AWS KMS returns ECDSA signatures DER-encoded (ANSI X9.62 / RFC 3279 Ecdsa-Sig-Value).
            return type == MessageType.Digest
                ? lease.Key.SignHash(message, DSASignatureFormat.Rfc3279DerSequence)
                : lease.Key.SignData(message, HashOf(algorithm), DSASignatureFormat.Rfc3279DerSequence);
        }

        return spec == KeySpec.EccNistEdwards25519
            ? BouncyCastleAdapter.SignEd25519(privateKey, message, prehash: algorithm == SigningAlgorithm.Ed25519PhSha512)
            : BouncyCastleAdapter.SignMlDsa(KeyPairs.MlDsaParameters(spec), privateKey, message);
    }

    public static bool Verify(KeySpec spec, byte[] privateKey, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message, byte[] signature)
    {
        if (KeySpecRules.IsRsa(spec))
        {
            using var lease = ParsedKeyCache.RentRsa(privateKey);
            var (hash, padding) = RsaParameters(algorithm);
            return type == MessageType.Digest ? lease.Key.VerifyHash(message, signature, hash, padding) : lease.Key.VerifyData(message, signature, hash, padding);
        }

        if (KeySpecRules.IsEllipticCurve(spec))
        {
            using var lease = ParsedKeyCache.RentEcdsa(privateKey);
            return type == MessageType.Digest
                ? lease.Key.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence)
                : lease.Key.VerifyData(message, signature, HashOf(algorithm), DSASignatureFormat.Rfc3279DerSequence);
        }

        return spec == KeySpec.EccNistEdwards25519
            ? BouncyCastleAdapter.VerifyEd25519(privateKey, message, signature, prehash: algorithm == SigningAlgorithm.Ed25519PhSha512)
            : BouncyCastleAdapter.VerifyMlDsa(KeyPairs.MlDsaParameters(spec), privateKey, message, signature);
    }

    /// <summary>The hash an algorithm begins with; its output length is the DIGEST length the algorithm takes.</summary>
    public static HashAlgorithmName HashOf(SigningAlgorithm algorithm) => algorithm switch
    {
        SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.EcdsaSha256 => HashAlgorithmName.SHA256,
        SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.EcdsaSha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    // AWS KMS: RSASSA-PSS uses MGF1 with the message hash and a salt as long as the hash (RFC 8017 §9.1).
    private static (HashAlgorithmName Hash, RSASignaturePadding Padding) RsaParameters(SigningAlgorithm algorithm) => algorithm switch
    {
        SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPssSha512 => (HashOf(algorithm), RSASignaturePadding.Pss),
        _ => (HashOf(algorithm), RSASignaturePadding.Pkcs1),
    };
}
