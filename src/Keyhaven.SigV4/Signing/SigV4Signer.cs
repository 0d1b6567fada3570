using System.Security.Cryptography;
using System.Text;
using Keyhaven.SigV4.Canonicalization;
using Keyhaven.SigV4.Signing;

namespace Keyhaven.SigV4;

/// <summary>
/// Client-side SigV4 signer: signs requests with an <c>Authorization</c> header or presigns them into a query
/// string. Shares canonicalization with <see cref="SigV4Verifier{TPrincipal}"/>. Thread-safe; allocation is not a
/// concern here (clients sign once per request), so results carry the intermediate strings.
/// </summary>
public sealed class SigV4Signer
{
    /// <summary>Longest validity of a presigned request: 7 days. spec: SigV4 query auth, X-Amz-Expires.</summary>
    public const int MaxPresignExpirySeconds = 604_800;

    // Headers that proxies or transports may rewrite; signing them would break requests in transit.
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "connection", "transfer-encoding", "upgrade",
    };

    private readonly SigV4Credentials _credentials;
    private readonly string _region;
    private readonly string _service;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a signer for one credential, region and service.</summary>
    /// <exception cref="ArgumentException">Region or service is empty or contains '/'.</exception>
    public SigV4Signer(SigV4Credentials credentials, string region, string service, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ValidateScopePart(region, nameof(region));
        ValidateScopePart(service, nameof(service));
        _credentials = credentials;
        _region = region;
        _service = service;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Signs <paramref name="request"/> with an <c>Authorization</c> header. Every header of the request is signed
    /// except transport headers (User-Agent, Expect, Connection, ...).
    /// spec: AWS SigV4 "Add the signature to the HTTP request" (Authorization header).
    /// </summary>
    public SigV4SignedRequest Sign(SigV4SigningRequest request, SigV4SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= SigV4SigningOptions.Default;
        string amzDate = SigningAlgorithm.FormatAmzDate(options.SigningTime ?? _timeProvider.GetUtcNow());

        var added = new List<HttpHeader>(4);
        var signed = new List<HttpHeader>(request.Headers.Count + 3);
        signed.AddRange(request.Headers);
        if (_credentials.SessionToken is { } token)
        {
            var tokenHeader = new HttpHeader("X-Amz-Security-Token", token);
            added.Add(tokenHeader);
            if (options.SignSessionToken)
            {
                signed.Add(tokenHeader);
            }
        }

        var dateHeader = new HttpHeader("X-Amz-Date", amzDate);
        added.Add(dateHeader);
        signed.Add(dateHeader);
        if (options.AddContentSha256Header)
        {
            var sha = new HttpHeader("x-amz-content-sha256", request.PayloadHash.ToString());
            added.Add(sha);
            signed.Add(sha);
        }

        string signedHeaders = SignedHeaderList(signed);
        (string canonical, string stringToSign, string signature) =
            Compute(request.Method, request.Path, options.NormalizePath, request.Query, signed, signedHeaders, request.PayloadHash, amzDate);

        string authorization = $"{SigningAlgorithm.Algorithm} Credential={_credentials.AccessKeyId}/{amzDate[..8]}/{_region}/{_service}/{SigningAlgorithm.Terminator}, SignedHeaders={signedHeaders}, Signature={signature}";
        added.Add(new HttpHeader("Authorization", authorization));
        return new SigV4SignedRequest(added, authorization, signature, canonical, stringToSign);
    }

    /// <summary>
    /// Presigns <paramref name="request"/>: appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
    /// X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token (if any) and X-Amz-Signature to its query.
    /// spec: AWS SigV4 "Add the signature to the query string".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expiresIn"/> is not 1..604800 whole seconds.</exception>
    public SigV4PresignedRequest Presign(SigV4SigningRequest request, TimeSpan expiresIn, SigV4SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= SigV4SigningOptions.Default;
        long seconds = (long)expiresIn.TotalSeconds;
        if (seconds < 1 || seconds > MaxPresignExpirySeconds || expiresIn.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, $"X-Amz-Expires must be a whole number of seconds from 1 to {MaxPresignExpirySeconds}.");
        }

        string amzDate = SigningAlgorithm.FormatAmzDate(options.SigningTime ?? _timeProvider.GetUtcNow());
        string signedHeaders = SignedHeaderList(request.Headers);
        string credential = $"{_credentials.AccessKeyId}/{amzDate[..8]}/{_region}/{_service}/{SigningAlgorithm.Terminator}";

        var query = new StringBuilder(request.Query);
        Append(query, "X-Amz-Algorithm", SigningAlgorithm.Algorithm);
        Append(query, "X-Amz-Credential", credential);
        Append(query, "X-Amz-Date", amzDate);
        Append(query, "X-Amz-SignedHeaders", signedHeaders);
        Append(query, "X-Amz-Expires", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string? token = _credentials.SessionToken;
        if (token is not null && options.SignSessionToken)
        {
            Append(query, "X-Amz-Security-Token", token);
        }

        (string canonical, string stringToSign, string signature) =
            Compute(request.Method, request.Path, options.NormalizePath, query.ToString(), request.Headers, signedHeaders, request.PayloadHash, amzDate);

        if (token is not null && !options.SignSessionToken)
        {
            Append(query, "X-Amz-Security-Token", token);
        }

        Append(query, CanonicalRequest.SignatureParameter, signature);
        return new SigV4PresignedRequest(request.Path, query.ToString(), signature, canonical, stringToSign);
    }

    private (string Canonical, string StringToSign, string Signature) Compute(
        string method, string path, bool normalize, string query, IReadOnlyList<HttpHeader> headers, string signedHeaders, PayloadHash payloadHash, string amzDate)
    {
        var canonical = new ByteWriter(1024);
        var stringToSign = new ByteWriter(256);
        Span<byte> key = stackalloc byte[SigningAlgorithm.KeySize];
        Span<byte> signature = stackalloc byte[SigningAlgorithm.KeySize];
        try
        {
            CanonicalRequest.Write(ref canonical, method, path, normalize, query, excludeSignatureParameter: false, headers, signedHeaders, payloadHash);
            SigningAlgorithm.WriteStringToSign(ref stringToSign, amzDate, _region, _service, canonical.WrittenSpan);
            SigningAlgorithm.DeriveSigningKey(_credentials.SecretAccessKey, amzDate.AsSpan(0, SigningAlgorithm.ScopeDateLength), _region, _service, key);
            SigningAlgorithm.ComputeSignature(key, stringToSign.WrittenSpan, signature);
            return (Encoding.UTF8.GetString(canonical.WrittenSpan), Encoding.UTF8.GetString(stringToSign.WrittenSpan), Convert.ToHexStringLower(signature));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            canonical.Dispose();
            stringToSign.Dispose();
        }
    }

    private static string SignedHeaderList(IEnumerable<HttpHeader> headers) =>
        string.Join(';', headers
            .Select(h => h.Name.ToLowerInvariant())
            .Where(n => !UnsignedHeaders.Contains(n))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(UriEncoding.EncodeToString(value));
    }

    private static void ValidateScopePart(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.Contains('/'))
        {
            throw new ArgumentException($"A credential scope part cannot contain '/'; got `{value}`.", paramName);
        }
    }
}
