namespace Keyhaven.SigV4;

/// <summary>Result of <see cref="SigV4Signer.Presign"/>: the query string carrying the signature.</summary>
public sealed class SigV4PresignedRequest
{
    internal SigV4PresignedRequest(string path, string query, string signature, string canonicalRequest, string stringToSign)
    {
        Path = path;
        Query = query;
        Signature = signature;
        CanonicalRequest = canonicalRequest;
        StringToSign = stringToSign;
    }

    /// <summary>The wire path, unchanged.</summary>
    public string Path { get; }

    /// <summary>The full wire query (original parameters, then the X-Amz-* parameters), without '?'.</summary>
    public string Query { get; }

    /// <summary>Lower-case hex signature.</summary>
    public string Signature { get; }

    /// <summary>The canonical request that was signed.</summary>
    public string CanonicalRequest { get; }

    /// <summary>The string to sign.</summary>
    public string StringToSign { get; }

    /// <summary><c>path?query</c>, ready to append to a scheme and authority.</summary>
    public string PathAndQuery => Path.Length == 0 ? "/?" + Query : Path + "?" + Query;
}
