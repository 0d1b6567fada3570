using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Server.Kms;

/// <summary>Maps domain enums to and from the names the KMS API uses on the wire.</summary>
internal static class WireNames
{
    public static string ToWire(this KeySpec spec) => spec switch
    {
        KeySpec.SymmetricDefault => "SYMMETRIC_DEFAULT",
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    public static string ToWire(this KeyUsage usage) => usage switch
    {
        KeyUsage.EncryptDecrypt => "ENCRYPT_DECRYPT",
        _ => throw new ArgumentOutOfRangeException(nameof(usage)),
    };

    public static string ToWire(this KeyOrigin origin) => origin switch
    {
        KeyOrigin.AwsKms => "AWS_KMS",
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public static string? ToWire(this RotationType type) => type switch
    {
        RotationType.Automatic => "AUTOMATIC",
        RotationType.OnDemand => "ON_DEMAND",
        _ => null,
    };

    /// <summary>Checks CreateKey's KeySpec / KeyUsage / Origin: this release makes symmetric encryption keys with KMS material.</summary>
    public static void EnsureSupportedKeyShape(string? keySpec, string? customerMasterKeySpec, string? keyUsage, string? origin, bool? multiRegion, string? customKeyStoreId)
    {
        if (keySpec is not null && customerMasterKeySpec is not null)
        {
            throw new KmsException(KmsErrorCode.ValidationException, "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.");
        }

        var spec = keySpec ?? customerMasterKeySpec;
        if (spec is not (null or "SYMMETRIC_DEFAULT"))
        {
            throw new KmsException(KnownKeySpecs.Contains(spec) ? KmsErrorCode.UnsupportedOperationException : KmsErrorCode.ValidationException,
                $"Key spec `{spec}` is not supported by this release of Keyhaven; only SYMMETRIC_DEFAULT is.");
        }

        if (keyUsage is not (null or "ENCRYPT_DECRYPT"))
        {
            throw new KmsException(KmsErrorCode.ValidationException, $"Key usage `{keyUsage}` is not valid for a SYMMETRIC_DEFAULT key; use ENCRYPT_DECRYPT.");
        }

        if (origin is not (null or "AWS_KMS"))
        {
            throw new KmsException(origin is "EXTERNAL" or "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE" ? KmsErrorCode.UnsupportedOperationException : KmsErrorCode.ValidationException,
                $"Origin `{origin}` is not supported by this release of Keyhaven; only AWS_KMS is.");
        }

        if (multiRegion == true)
        {
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "Multi-Region keys are not supported by this release of Keyhaven.");
        }

        if (customKeyStoreId is not null)
        {
            throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store `{customKeyStoreId}` does not exist.");
        }
    }

    private static readonly string[] KnownKeySpecs =
    [
        "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT",
        "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519",
    ];
}
