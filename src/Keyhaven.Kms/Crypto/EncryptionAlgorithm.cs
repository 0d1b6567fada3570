using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>Encryption algorithm names; symmetric keys take only SYMMETRIC_DEFAULT, RSA keys RSAES_OAEP_SHA_1 or _256.</summary>
public static class EncryptionAlgorithm
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
    public const string RsaesOaepSha1 = "RSAES_OAEP_SHA_1";
    public const string RsaesOaepSha256 = "RSAES_OAEP_SHA_256";
    private static readonly string[] Known = [SymmetricDefault, RsaesOaepSha1, RsaesOaepSha256, "SM2PKE"];

    public static void EnsureSymmetric(string? algorithm)
    {
        if (algorithm is null or SymmetricDefault)
        {
            return;
        }

        if (!Known.Contains(algorithm))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value `{algorithm}` at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Known)}]");
        }

        KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException, $"The encryption algorithm `{algorithm}` is not valid for a symmetric encryption key.");
    }

    /// <summary>An RSA key takes RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256, named explicitly (InvalidKeyUsageException otherwise).</summary>
    public static string EnsureRsa(string? algorithm, KmsKey key)
    {
        if (algorithm is RsaesOaepSha1 or RsaesOaepSha256)
        {
            return algorithm;
        }

        if (algorithm is not null && !Known.Contains(algorithm))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value `{algorithm}` at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Known)}]");
        }

        return KmsErrors.Throw<string>(KmsErrorCode.InvalidKeyUsageException,
            $"The encryption algorithm `{algorithm ?? SymmetricDefault}` is not compatible with the key spec of {key.Arn}; use RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256.");
    }
}
