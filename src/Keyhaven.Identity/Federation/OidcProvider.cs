namespace Keyhaven.Identity.Federation;

/// <summary>
/// An IAM OpenID Connect identity provider: the issuer URL (without <c>https://</c>, as in the ARN), the audiences
/// (client ids) tokens must carry, and the SHA-1 thumbprints of certificates trusted for the issuer's HTTPS endpoint
/// besides the system trust store. Immutable.
/// </summary>
public sealed record OidcProvider(string Arn, string Url, IReadOnlyList<string> ClientIds, IReadOnlyList<string> Thumbprints, DateTimeOffset CreateDate,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    /// <summary>The issuer as tokens name it in <c>iss</c>: <c>https://</c> + <see cref="Url"/>.</summary>
    public string Issuer => "https://" + Url;
}
