namespace Keyhaven.SigV4;

/// <summary>Configuration of <see cref="SigV4Verifier{TPrincipal}"/>.</summary>
public sealed record SigV4VerifierOptions
{
    /// <summary>Largest clock skew AWS tolerates between X-Amz-Date and the server clock: 5 minutes.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Creates options for a service signing name such as <c>kms</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="service"/> is empty or contains '/'.</exception>
    public SigV4VerifierOptions(string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        if (service.Contains('/'))
        {
            throw new ArgumentException($"A service name cannot contain '/'; got `{service}`.", nameof(service));
        }

        Service = service;
    }

    /// <summary>The service signing name every credential scope must carry, e.g. <c>kms</c>.</summary>
    public string Service { get; }

    /// <summary>The region every credential scope must carry; null accepts any region (or those of <see cref="Regions"/>).</summary>
    public string? Region { get; init; }

    /// <summary>
    /// The regions a credential scope may carry, for a server that answers for several; ignored when <see cref="Region"/>
    /// is set; null (with <see cref="Region"/> null) accepts any region.
    /// </summary>
    public IReadOnlyList<string>? Regions { get; init; }

    /// <summary>Allowed difference between the request time and the server clock, both directions. Default 5 minutes.</summary>
    public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;

    /// <summary>Normalize the path before encoding it (true for every service except S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>
    /// Accept <c>x-amz-content-sha256: UNSIGNED-PAYLOAD</c> and sign the literal instead of the body hash.
    /// Off by default: for KMS the body carries the plaintext and must be covered by the signature.
    /// </summary>
    public bool AllowUnsignedPayload { get; init; }

    /// <summary>Largest number of cached signing keys; the cache is cleared when it fills. Default 4096.</summary>
    public int SigningKeyCacheCapacity { get; init; } = 4096;
}
