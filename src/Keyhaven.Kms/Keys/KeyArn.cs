using Keyhaven.Kms.Accounts;

namespace Keyhaven.Kms.Keys;

/// <summary>Builds and splits KMS resource ARNs (<c>arn:aws:kms:REGION:ACCOUNT:key/ID</c>, <c>…:alias/NAME</c>).</summary>
public static class KeyArn
{
    public static string ForKey(string region, AccountId account, KeyId keyId) => $"arn:aws:kms:{region}:{account}:key/{keyId}";

    public static string ForAlias(string region, AccountId account, string aliasName) => $"arn:aws:kms:{region}:{account}:{aliasName}";

    /// <summary>
    /// A key identifier pointing at the same key id in <paramref name="region"/>: a key ARN with its region replaced;
    /// anything else (a bare key id) unchanged, to be resolved in the region the caller gives.
    /// </summary>
    public static string? InRegion(string? identifier, string? region)
    {
        if (identifier is null || region is null || !identifier.StartsWith("arn:", StringComparison.Ordinal)
            || identifier.Split(':', 6) is not [var arn, var partition, var service, _, var account, var resource])
        {
            return identifier;
        }

        return string.Join(':', arn, partition, service, region, account, resource);
    }

    /// <summary>Splits a KMS ARN into region, account and resource (<c>key/…</c> or <c>alias/…</c>).</summary>
    public static bool TryParse(string text, out string region, out AccountId account, out string resource)
    {
        region = resource = string.Empty;
        account = default;
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[1] is not ("aws" or "aws-cn" or "aws-us-gov") || parts[2] != "kms"
            || parts[3].Length == 0 || !AccountId.TryParse(parts[4], out account))
        {
            return false;
        }

        region = parts[3];
        resource = parts[5];
        return true;
    }
}
