namespace Keyhaven.Kms.KeyAgreement;

/// <summary>The key agreement algorithms of AWS KMS (<c>KeyAgreementAlgorithmSpec</c>).</summary>
public enum KeyAgreementAlgorithm
{
    Ecdh,
}
