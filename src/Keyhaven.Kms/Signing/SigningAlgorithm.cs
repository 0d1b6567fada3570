namespace Keyhaven.Kms.Signing;

/// <summary>The signing algorithms of AWS KMS (<c>SigningAlgorithmSpec</c>), without SM2DSA (China Regions only).</summary>
public enum SigningAlgorithm
{
    RsassaPssSha256,
    RsassaPssSha384,
    RsassaPssSha512,
    RsassaPkcs1V15Sha256,
    RsassaPkcs1V15Sha384,
    RsassaPkcs1V15Sha512,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    Ed25519Sha512,
    Ed25519PhSha512,
    MlDsaShake256,
}
