namespace Keyhaven.SigV4;

/// <summary>
/// What the server hands to <see cref="SigV4Verifier{TPrincipal}"/>, free of ASP.NET types.
/// </summary>
/// <remarks>
/// From an ASP.NET Core request: <c>Method</c> = <c>Request.Method</c>; <c>RawPath</c> = the path as received,
/// still percent-encoded (<c>IHttpRequestFeature.RawTarget</c> up to '?', not the decoded <c>Request.Path</c>);
/// <c>RawQuery</c> = the part of the raw target after '?' (or <c>Request.QueryString.Value</c> without '?');
/// <c>Headers</c> = one <see cref="HttpHeader"/> per header value, in received order (so a repeated header appears
/// several times), including <c>Host</c> (Kestrel maps HTTP/2 <c>:authority</c> to it);
/// <c>PayloadHash</c> = <see cref="PayloadHash.Compute"/> over the buffered body.
/// </remarks>
/// <param name="Method">HTTP method.</param>
/// <param name="RawPath">Path exactly as received, not decoded; empty means "/".</param>
/// <param name="RawQuery">Query string exactly as received, without '?'; empty if none.</param>
/// <param name="Headers">Every request header value.</param>
/// <param name="PayloadHash">SHA-256 of the body the server received.</param>
public readonly record struct SigV4Request(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<HttpHeader> Headers,
    PayloadHash PayloadHash);
