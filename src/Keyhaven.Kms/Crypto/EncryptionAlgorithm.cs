using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Crypto;

/// <summary>Encryption algorithm names; symmetric keys take only SYMMETRIC_DEFAULT.</summary>
public static class EncryptionAlgorithm
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
    private static readonly string[] Known = [SymmetricDefault, "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"];

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
}
