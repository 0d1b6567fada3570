namespace Keyhaven.Kms.Import;

/// <summary>How key material is wrapped for import (<c>AlgorithmSpec</c>), without the retired RSAES_PKCS1_V1_5 and China-only SM2PKE.</summary>
public enum WrappingAlgorithm
{
    RsaesOaepSha1,
    RsaesOaepSha256,
    RsaAesKeyWrapSha1,
    RsaAesKeyWrapSha256,
}
