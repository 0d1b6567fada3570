namespace Keyhaven.SigV4;

/// <summary>
/// Result of <see cref="SigV4Signer.Sign"/>: the headers to add to the request, in order
/// (<c>X-Amz-Security-Token</c>, <c>X-Amz-Date</c>, optional <c>x-amz-content-sha256</c>, <c>Authorization</c>),
/// plus the intermediate strings for debugging.
/// </summary>
public sealed class SigV4SignedRequest
{
    internal SigV4SignedRequest(IReadOnlyList<HttpHeader> headersToAdd, string authorization, string signature, string canonicalRequest, string stringToSign)
    {
        HeadersToAdd = headersToAdd;
        Authorization = authorization;
        Signature = signature;
        CanonicalRequest = canonicalRequest;
        StringToSign = stringToSign;
    }

    /// <summary>Headers to add to the request, in the order to add them.</summary>
    public IReadOnlyList<HttpHeader> HeadersToAdd { get; }

    /// <summary>The <c>Authorization</c> header value.</summary>
    public string Authorization { get; }

    /// <summary>Lower-case hex signature.</summary>
    public string Signature { get; }

    /// <summary>The canonical request that was signed.</summary>
    public string CanonicalRequest { get; }

    /// <summary>The string to sign.</summary>
    public string StringToSign { get; }
}
