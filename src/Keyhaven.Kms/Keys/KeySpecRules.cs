using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.KeyAgreement;
using Keyhaven.Kms.Macs;
using Keyhaven.Kms.Signing;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// What each key spec can do: the key usages it may be created with and the algorithms of each usage.
/// </summary>
// spec: kms/latest/developerguide/symm-asymm-choose-key-spec.html (key spec reference tables)
public static class KeySpecRules
{
    private static readonly string[] RsaEncryption = [EncryptionAlgorithm.RsaesOaepSha1, EncryptionAlgorithm.RsaesOaepSha256];
    private static readonly SigningAlgorithm[] RsaSigning =
    [
        SigningAlgorithm.RsassaPssSha256, SigningAlgorithm.RsassaPssSha384, SigningAlgorithm.RsassaPssSha512,
        SigningAlgorithm.RsassaPkcs1V15Sha256, SigningAlgorithm.RsassaPkcs1V15Sha384, SigningAlgorithm.RsassaPkcs1V15Sha512,
    ];

    public static bool IsRsa(KeySpec spec) => spec is KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096;

    /// <summary>ECDSA / ECDH keys on a Weierstrass curve (NIST P-256/384/521, secp256k1).</summary>
    public static bool IsEllipticCurve(KeySpec spec) => spec is KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 or KeySpec.EccSecgP256K1;

    public static bool IsMlDsa(KeySpec spec) => spec is KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87;

    public static bool IsHmac(KeySpec spec) => spec is KeySpec.Hmac224 or KeySpec.Hmac256 or KeySpec.Hmac384 or KeySpec.Hmac512;

    /// <summary>A key pair: it has a public key (GetPublicKey) and a private key that never leaves Keyhaven.</summary>
    public static bool IsAsymmetric(KeySpec spec) => IsRsa(spec) || IsEllipticCurve(spec) || IsMlDsa(spec) || spec == KeySpec.EccNistEdwards25519;

    /// <summary>The usages a key of <paramref name="spec"/> may be created with.</summary>
    public static IReadOnlyList<KeyUsage> Usages(KeySpec spec) => spec switch
    {
        KeySpec.SymmetricDefault => [KeyUsage.EncryptDecrypt],
        _ when IsRsa(spec) => [KeyUsage.EncryptDecrypt, KeyUsage.SignVerify],
        KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 => [KeyUsage.SignVerify, KeyUsage.KeyAgreement],
        KeySpec.EccSecgP256K1 or KeySpec.EccNistEdwards25519 => [KeyUsage.SignVerify],
        _ when IsMlDsa(spec) => [KeyUsage.SignVerify],
        _ => [KeyUsage.GenerateVerifyMac],
    };

    /// <summary>Refuses a usage the spec does not support (ValidationException, as CreateKey answers).</summary>
    public static void EnsureCompatible(KeySpec spec, KeyUsage usage, string specName, string usageName)
    {
        if (!Usages(spec).Contains(usage))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, $"KeyUsage `{usageName}` is not compatible with KeySpec `{specName}`.");
        }
    }

    public static IReadOnlyList<string> EncryptionAlgorithms(KmsKey key) => key.Usage != KeyUsage.EncryptDecrypt ? []
        : key.Spec == KeySpec.SymmetricDefault ? [EncryptionAlgorithm.SymmetricDefault] : RsaEncryption;

    public static IReadOnlyList<SigningAlgorithm> SigningAlgorithms(KmsKey key) => key.Usage != KeyUsage.SignVerify ? [] : key.Spec switch
    {
        _ when IsRsa(key.Spec) => RsaSigning,
        KeySpec.EccNistP256 or KeySpec.EccSecgP256K1 => [SigningAlgorithm.EcdsaSha256],
        KeySpec.EccNistP384 => [SigningAlgorithm.EcdsaSha384],
        KeySpec.EccNistP521 => [SigningAlgorithm.EcdsaSha512],
        KeySpec.EccNistEdwards25519 => [SigningAlgorithm.Ed25519Sha512, SigningAlgorithm.Ed25519PhSha512],
        _ when IsMlDsa(key.Spec) => [SigningAlgorithm.MlDsaShake256],
        _ => [],
    };

    public static IReadOnlyList<MacAlgorithm> MacAlgorithms(KmsKey key) => key.Spec switch
    {
        KeySpec.Hmac224 => [MacAlgorithm.HmacSha224],
        KeySpec.Hmac256 => [MacAlgorithm.HmacSha256],
        KeySpec.Hmac384 => [MacAlgorithm.HmacSha384],
        KeySpec.Hmac512 => [MacAlgorithm.HmacSha512],
        _ => [],
    };

    public static IReadOnlyList<KeyAgreementAlgorithm> KeyAgreementAlgorithms(KmsKey key) =>
        key.Usage == KeyUsage.KeyAgreement ? [KeyAgreementAlgorithm.Ecdh] : [];

    /// <summary>Refuses a key whose usage is not <paramref name="usage"/> (InvalidKeyUsageException).</summary>
    public static void EnsureUsage(KmsKey key, KeyUsage usage, string operation)
    {
        if (key.Usage != usage)
        {
            KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException,
                $"{key.Arn} key usage is {UsageName(key.Usage)} which is not valid for {operation}.");
        }
    }

    /// <summary>The wire name of a usage, for messages.</summary>
    public static string UsageName(KeyUsage usage) => usage switch
    {
        KeyUsage.EncryptDecrypt => "ENCRYPT_DECRYPT",
        KeyUsage.SignVerify => "SIGN_VERIFY",
        KeyUsage.GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        _ => "KEY_AGREEMENT",
    };
}
