namespace Keyhaven.Encryption.Suites;

/// <summary>The eleven algorithm suites of the AWS Encryption SDK (spec: framework/algorithm-suites.md).</summary>
public enum AlgorithmSuiteId : ushort
{
    AesGcm128NoKdf = 0x0014,
    AesGcm192NoKdf = 0x0046,
    AesGcm256NoKdf = 0x0078,
    AesGcm128HkdfSha256 = 0x0114,
    AesGcm192HkdfSha256 = 0x0146,
    AesGcm256HkdfSha256 = 0x0178,
    AesGcm128HkdfSha256EcdsaP256 = 0x0214,
    AesGcm192HkdfSha384EcdsaP384 = 0x0346,
    AesGcm256HkdfSha384EcdsaP384 = 0x0378,
    AesGcm256HkdfSha512Commit = 0x0478,
    AesGcm256HkdfSha512CommitEcdsaP384 = 0x0578,
}
