using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Crypto;

/// <summary>The size of a data key: GenerateDataKey takes a KeySpec (AES_128, AES_256) or NumberOfBytes (1–1024), exactly one.</summary>
public static class DataKeySpec
{
    public static int ByteCount(string? keySpec, int? numberOfBytes)
    {
        if (keySpec is not null && numberOfBytes is not null)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "Please specify either number of bytes or key spec, not both.");
        }

        if (numberOfBytes is int count)
        {
            if (count is < 1 or > 1024)
            {
                KmsErrors.Validation("numberOfBytes", "Member must have value between 1 and 1024");
            }

            return count;
        }

        return keySpec switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            null => KmsErrors.Throw<int>(KmsErrorCode.ValidationException, "Please specify either number of bytes or key spec."),
            _ => KmsErrors.Throw<int>(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value `{keySpec}` at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"),
        };
    }
}
