using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Import;
using Keyhaven.Kms.KeyAgreement;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Macs;
using Keyhaven.Kms.Signing;

namespace Keyhaven.Server.Kms;

/// <summary>Maps domain enums to and from the names the KMS API uses on the wire.</summary>
internal static class WireNames
{
    private static readonly (KeySpec, string)[] KeySpecNames =
    [
        (KeySpec.Rsa2048, "RSA_2048"), (KeySpec.Rsa3072, "RSA_3072"), (KeySpec.Rsa4096, "RSA_4096"),
        (KeySpec.EccNistP256, "ECC_NIST_P256"), (KeySpec.EccNistP384, "ECC_NIST_P384"), (KeySpec.EccNistP521, "ECC_NIST_P521"),
        (KeySpec.EccSecgP256K1, "ECC_SECG_P256K1"), (KeySpec.SymmetricDefault, "SYMMETRIC_DEFAULT"),
        (KeySpec.Hmac224, "HMAC_224"), (KeySpec.Hmac256, "HMAC_256"), (KeySpec.Hmac384, "HMAC_384"), (KeySpec.Hmac512, "HMAC_512"),
        (KeySpec.MlDsa44, "ML_DSA_44"), (KeySpec.MlDsa65, "ML_DSA_65"), (KeySpec.MlDsa87, "ML_DSA_87"),
        (KeySpec.EccNistEdwards25519, "ECC_NIST_EDWARDS25519"),
    ];

    public static readonly WireEnum<KeySpec> KeySpecs = new("keySpec", KeySpecNames, ["SM2"]);

    public static readonly WireEnum<KeySpec> DataKeyPairSpecs = new("keyPairSpec",
        [.. KeySpecNames.Where(n => KeySpecRules.IsAsymmetric(n.Item1) && !KeySpecRules.IsMlDsa(n.Item1))], ["SM2"]);

    public static readonly WireEnum<KeyUsage> KeyUsages = new("keyUsage",
    [
        (KeyUsage.SignVerify, "SIGN_VERIFY"), (KeyUsage.EncryptDecrypt, "ENCRYPT_DECRYPT"),
        (KeyUsage.GenerateVerifyMac, "GENERATE_VERIFY_MAC"), (KeyUsage.KeyAgreement, "KEY_AGREEMENT"),
    ]);

    public static readonly WireEnum<SigningAlgorithm> SigningAlgorithms = new("signingAlgorithm",
    [
        (SigningAlgorithm.RsassaPssSha256, "RSASSA_PSS_SHA_256"), (SigningAlgorithm.RsassaPssSha384, "RSASSA_PSS_SHA_384"),
        (SigningAlgorithm.RsassaPssSha512, "RSASSA_PSS_SHA_512"), (SigningAlgorithm.RsassaPkcs1V15Sha256, "RSASSA_PKCS1_V1_5_SHA_256"),
        (SigningAlgorithm.RsassaPkcs1V15Sha384, "RSASSA_PKCS1_V1_5_SHA_384"), (SigningAlgorithm.RsassaPkcs1V15Sha512, "RSASSA_PKCS1_V1_5_SHA_512"),
        (SigningAlgorithm.EcdsaSha256, "ECDSA_SHA_256"), (SigningAlgorithm.EcdsaSha384, "ECDSA_SHA_384"), (SigningAlgorithm.EcdsaSha512, "ECDSA_SHA_512"),
        (SigningAlgorithm.MlDsaShake256, "ML_DSA_SHAKE_256"), (SigningAlgorithm.Ed25519Sha512, "ED25519_SHA_512"),
        (SigningAlgorithm.Ed25519PhSha512, "ED25519_PH_SHA_512"),
    ], ["SM2DSA"]);

    public static readonly WireEnum<MessageType> MessageTypes = new("messageType",
        [(MessageType.Raw, "RAW"), (MessageType.Digest, "DIGEST"), (MessageType.ExternalMu, "EXTERNAL_MU")]);

    public static readonly WireEnum<MacAlgorithm> MacAlgorithms = new("macAlgorithm",
    [
        (MacAlgorithm.HmacSha224, "HMAC_SHA_224"), (MacAlgorithm.HmacSha256, "HMAC_SHA_256"),
        (MacAlgorithm.HmacSha384, "HMAC_SHA_384"), (MacAlgorithm.HmacSha512, "HMAC_SHA_512"),
    ]);

    public static readonly WireEnum<KeyAgreementAlgorithm> KeyAgreementAlgorithms = new("keyAgreementAlgorithm", [(KeyAgreementAlgorithm.Ecdh, "ECDH")]);

    public static readonly WireEnum<WrappingAlgorithm> WrappingAlgorithms = new("wrappingAlgorithm",
    [
        (WrappingAlgorithm.RsaesOaepSha1, "RSAES_OAEP_SHA_1"), (WrappingAlgorithm.RsaesOaepSha256, "RSAES_OAEP_SHA_256"),
        (WrappingAlgorithm.RsaAesKeyWrapSha1, "RSA_AES_KEY_WRAP_SHA_1"), (WrappingAlgorithm.RsaAesKeyWrapSha256, "RSA_AES_KEY_WRAP_SHA_256"),
    ], ["RSAES_PKCS1_V1_5", "SM2PKE"]);

    public static readonly WireEnum<KeySpec> WrappingKeySpecs = new("wrappingKeySpec",
        [(KeySpec.Rsa2048, "RSA_2048"), (KeySpec.Rsa3072, "RSA_3072"), (KeySpec.Rsa4096, "RSA_4096")], ["SM2"]);

    public static string ToWire(this KeySpec spec) => KeySpecs.ToWire(spec);

    public static string ToWire(this KeyUsage usage) => KeyUsages.ToWire(usage);

    public static string ToWire(this SigningAlgorithm algorithm) => SigningAlgorithms.ToWire(algorithm);

    public static string ToWire(this MacAlgorithm algorithm) => MacAlgorithms.ToWire(algorithm);

    public static string ToWire(this KeyAgreementAlgorithm algorithm) => KeyAgreementAlgorithms.ToWire(algorithm);

    public static string ToWire(this KeyOrigin origin) => origin switch
    {
        KeyOrigin.AwsKms => "AWS_KMS",
        KeyOrigin.External => "EXTERNAL",
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public static string? ToWire(this RotationType type) => type switch
    {
        RotationType.Automatic => "AUTOMATIC",
        RotationType.OnDemand => "ON_DEMAND",
        _ => null,
    };

    /// <summary>
    /// Reads CreateKey's KeySpec / KeyUsage / Origin into the key to make. KeyUsage defaults to ENCRYPT_DECRYPT, as in
    /// AWS, so other specs must name their usage.
    /// </summary>
    public static (KeySpec Spec, KeyUsage Usage, KeyOrigin Origin) ReadKeyShape(string? keySpec, string? customerMasterKeySpec, string? keyUsage, string? origin,
        string? customKeyStoreId)
    {
        if (keySpec is not null && customerMasterKeySpec is not null)
        {
            throw new KmsException(KmsErrorCode.ValidationException, "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.");
        }

        var spec = KeySpecs.ParseOptional(keySpec ?? customerMasterKeySpec) ?? KeySpec.SymmetricDefault;
        var usage = KeyUsages.ParseOptional(keyUsage) ?? KeyUsage.EncryptDecrypt;
        KeySpecRules.EnsureCompatible(spec, usage, spec.ToWire(), usage.ToWire());

        if (origin is not (null or "AWS_KMS" or "EXTERNAL"))
        {
            throw new KmsException(origin is "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE" ? KmsErrorCode.UnsupportedOperationException : KmsErrorCode.ValidationException,
                $"Origin `{origin}` is not supported by Keyhaven; AWS_KMS and EXTERNAL are.");
        }

        if (origin == "EXTERNAL" && KeySpecRules.IsMlDsa(spec))
        {
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "Keyhaven does not import ML-DSA key material.");
        }

        if (customKeyStoreId is not null)
        {
            throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store `{customKeyStoreId}` does not exist.");
        }

        return (spec, usage, origin == "EXTERNAL" ? KeyOrigin.External : KeyOrigin.AwsKms);
    }
}
