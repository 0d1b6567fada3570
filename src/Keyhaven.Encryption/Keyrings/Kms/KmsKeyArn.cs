using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>
/// An AWS KMS key ARN, <c>arn:PARTITION:kms:REGION:ACCOUNT:key/ID</c> (aliases are not keys and are refused).
/// spec: framework/aws-kms/aws-kms-key-arn.md
/// </summary>
public readonly record struct KmsKeyArn(string Partition, string Region, string Account, string KeyId)
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out KmsKeyArn? arn)
    {
        arn = null;
        if (text is null)
        {
            return false;
        }

        var parts = text.Split(':', 6);
        if (parts is not ["arn", { Length: > 0 } partition, "kms", { Length: > 0 } region, { Length: > 0 } account, var resource]
            || !resource.StartsWith("key/", StringComparison.Ordinal) || resource.Length == 4)
        {
            return false;
        }

        arn = new KmsKeyArn(partition, region, account, resource[4..]);
        return true;
    }

    public override string ToString() => $"arn:{Partition}:kms:{Region}:{Account}:key/{KeyId}";
}
