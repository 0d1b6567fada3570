namespace Keyhaven.SigV4;

/// <summary>
/// A request to sign, described the way it will go on the wire: method, path and query exactly as they will be
/// sent (already percent-encoded), headers (including <c>Host</c>) and the payload hash.
/// </summary>
public sealed class SigV4SigningRequest
{
    /// <summary>Creates a request to sign.</summary>
    /// <param name="method">HTTP method, e.g. <c>POST</c>.</param>
    /// <param name="path">Wire path, e.g. <c>/</c>; empty means <c>/</c>.</param>
    /// <param name="query">Wire query string without '?', or empty.</param>
    /// <param name="headers">Headers to send; must include <c>Host</c>.</param>
    /// <param name="payloadHash">Hash of the body (<see cref="PayloadHash.Compute"/>) or <see cref="PayloadHash.Unsigned"/>.</param>
    /// <exception cref="ArgumentException">The method is empty, the query starts with '?', or there is no Host header.</exception>
    public SigV4SigningRequest(string method, string path, string query, IReadOnlyList<HttpHeader> headers, PayloadHash payloadHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(headers);
        if (query.StartsWith('?'))
        {
            throw new ArgumentException($"Pass the query without its leading '?'; got `{query}`.", nameof(query));
        }

        if (!headers.Any(h => h.Name.Equals("host", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("SigV4 requires a signed `Host` header; add one.", nameof(headers));
        }

        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        PayloadHash = payloadHash;
    }

    /// <summary>HTTP method.</summary>
    public string Method { get; }

    /// <summary>Wire path.</summary>
    public string Path { get; }

    /// <summary>Wire query without '?'.</summary>
    public string Query { get; }

    /// <summary>Headers that will be sent.</summary>
    public IReadOnlyList<HttpHeader> Headers { get; }

    /// <summary>Hashed payload.</summary>
    public PayloadHash PayloadHash { get; }

    /// <summary>
    /// Builds a request from an absolute URI and a body: path and query come from <see cref="Uri.AbsolutePath"/> and
    /// <see cref="Uri.Query"/> (the escaped wire forms), and a <c>Host</c> header from <see cref="Uri.Authority"/>
    /// is added when <paramref name="headers"/> has none.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not absolute.</exception>
    public static SigV4SigningRequest Create(string method, Uri uri, IEnumerable<HttpHeader> headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException($"The URI must be absolute; got `{uri}`.", nameof(uri));
        }

        var list = new List<HttpHeader>(headers);
        if (!list.Any(h => h.Name.Equals("host", StringComparison.OrdinalIgnoreCase)))
        {
            list.Insert(0, new HttpHeader("Host", uri.Authority));
        }

        string query = uri.Query.StartsWith('?') ? uri.Query[1..] : uri.Query;
        return new SigV4SigningRequest(method, uri.AbsolutePath, query, list, PayloadHash.Compute(body));
    }
}
