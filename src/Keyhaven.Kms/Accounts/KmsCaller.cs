namespace Keyhaven.Kms.Accounts;

/// <summary>Who calls and where: the authenticated principal's account and ARN, and the region the request was signed for.</summary>
public sealed record KmsCaller(AccountId Account, string Region, string PrincipalArn)
{
    /// <summary>The request id the host gave the request (<c>x-amzn-RequestId</c>), for records such as a key's last usage.</summary>
    public string? RequestId { get; init; }
}
