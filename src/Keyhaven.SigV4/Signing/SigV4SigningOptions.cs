namespace Keyhaven.SigV4;

/// <summary>Per-call options of <see cref="SigV4Signer"/>.</summary>
public sealed record SigV4SigningOptions
{
    /// <summary>Default options: normalize the path, sign the session token, no <c>x-amz-content-sha256</c> header.</summary>
    public static SigV4SigningOptions Default { get; } = new();

    /// <summary>The signing time; null means the signer's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset? SigningTime { get; init; }

    /// <summary>Normalize the path before encoding (true for every service except S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Add and sign an <c>x-amz-content-sha256</c> header carrying the payload hash (header signing only).</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>
    /// Include the session token in the signature (the norm). False reproduces the legacy behaviour of a few
    /// services where the token is attached after signing.
    /// </summary>
    public bool SignSessionToken { get; init; } = true;
}
