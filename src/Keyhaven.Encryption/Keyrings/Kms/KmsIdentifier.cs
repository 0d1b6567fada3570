namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>
/// The forms an AWS KMS key is named by: an ARN (<c>arn:PARTITION:kms:REGION:ACCOUNT:TYPE/ID</c>, type <c>key</c> or
/// <c>alias</c>), an alias name (<c>alias/NAME</c>) or a key id.
/// spec: framework/aws-kms/aws-kms-key-arn.md#a-valid-aws-kms-arn and #a-valid-aws-kms-identifier
/// </summary>
internal static class KmsIdentifier
{
    /// <summary>The longest identifier KMS accepts (KeyIdType in the KMS API model).</summary>
    public const int MaxLength = 2048;

    /// <summary>
    /// A valid AWS KMS ARN: six non-empty <c>:</c>-separated parts <c>arn</c>, partition, <c>kms</c>, region, account
    /// and a resource split at its first <c>/</c> into type (<c>key</c> or <c>alias</c>) and a non-empty id.
    /// </summary>
    public static bool IsValidArn(string text, out string resourceType)
    {
        resourceType = string.Empty;
        if (text.Split(':') is not ["arn", { Length: > 0 }, "kms", { Length: > 0 }, { Length: > 0 }, var resource])
        {
            return false;
        }

        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == resource.Length - 1 || resource[..slash] is not ("key" or "alias"))
        {
            return false;
        }

        resourceType = resource[..slash];
        return true;
    }

    /// <summary>A valid AWS KMS ARN with resource type <c>key</c>.</summary>
    public static bool IsValidKeyArn(string text) => IsValidArn(text, out var type) && type == "key";

    /// <summary>A valid AWS KMS ARN, an alias name (<c>alias/NAME</c>) or a key id (the resource id of a key ARN).</summary>
    public static bool IsValid(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            return false;
        }

        if (text.StartsWith("arn:", StringComparison.Ordinal))
        {
            return IsValidArn(text, out _);
        }

        if (text.StartsWith("alias/", StringComparison.Ordinal))
        {
            return text.Length > "alias/".Length;
        }

        return !text.Contains('/', StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal);
    }
}
