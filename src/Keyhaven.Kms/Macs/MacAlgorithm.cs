namespace Keyhaven.Kms.Macs;

/// <summary>The MAC algorithms of AWS KMS (<c>MacAlgorithmSpec</c>): HMAC with a SHA-2 hash.</summary>
public enum MacAlgorithm
{
    HmacSha224,
    HmacSha256,
    HmacSha384,
    HmacSha512,
}
