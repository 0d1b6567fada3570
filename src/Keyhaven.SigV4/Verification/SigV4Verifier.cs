using System.Globalization;
using System.Security.Cryptography;
using Keyhaven.SigV4.Canonicalization;
using Keyhaven.SigV4.Signing;
using Keyhaven.SigV4.Verification;

namespace Keyhaven.SigV4;

/// <summary>
/// Server-side SigV4 verification, run on every request: parses the Authorization header (or presigned query
/// parameters), checks the credential scope and request time, resolves the access key, recomputes the signature
/// with the canonicalization shared with <see cref="SigV4Signer"/> and compares it in constant time.
/// Expected failures are returned as <see cref="SigV4Error"/> values carrying the AWS error code, message and HTTP
/// status; nothing is thrown for bad client input.
/// Thread-safe. With a warm signing-key cache and a credential source that completes synchronously, a header-signed
/// request allocates only the access key id string (buffers are pooled).
/// </summary>
/// <typeparam name="TPrincipal">What <see cref="ISigningCredentialSource{TPrincipal}"/> attaches to a key.</typeparam>
public sealed class SigV4Verifier<TPrincipal>
{
    private const int MaxPresignExpirySeconds = SigV4Signer.MaxPresignExpirySeconds;

    private readonly SigV4VerifierOptions _options;
    private readonly ISigningCredentialSource<TPrincipal> _credentials;
    private readonly TimeProvider _timeProvider;
    private readonly SigningKeyCache _keyCache;

    /// <summary>Creates a verifier.</summary>
    /// <param name="options">Service, region, skew and path options.</param>
    /// <param name="credentials">Resolves access key ids.</param>
    /// <param name="timeProvider">The clock; tests pin it.</param>
    public SigV4Verifier(SigV4VerifierOptions options, ISigningCredentialSource<TPrincipal> credentials, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClockSkew, "ClockSkew must be zero or positive.");
        }

        _options = options;
        _credentials = credentials;
        _timeProvider = timeProvider;
        _keyCache = new SigningKeyCache(options.SigningKeyCacheCapacity);
    }

    /// <summary>Number of signing keys currently cached (for diagnostics and tests).</summary>
    public int CachedSigningKeyCount => _keyCache.Count;

    /// <summary>
    /// Verifies <paramref name="request"/>. Returns a failure value for every client error; throws only for
    /// programming errors (null members of <paramref name="request"/>) or if the credential source throws.
    /// </summary>
    public ValueTask<SigV4VerificationResult<TPrincipal>> VerifyAsync(SigV4Request request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request.Method, nameof(request));
        ArgumentNullException.ThrowIfNull(request.RawPath, nameof(request));
        ArgumentNullException.ThrowIfNull(request.RawQuery, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Headers, nameof(request));

        SigV4Error? error = TryParse(request, _timeProvider.GetUtcNow(), out ParsedAuthorization auth);
        if (error is not null)
        {
            return new(SigV4VerificationResult<TPrincipal>.Failure(error));
        }

        ValueTask<SigningCredential<TPrincipal>?> lookup = _credentials.FindAsync(auth.AccessKeyId, cancellationToken);
        return lookup.IsCompletedSuccessfully
            ? new(Complete(request, auth, lookup.Result))
            : AwaitLookupAsync(lookup, request, auth);
    }

    private async ValueTask<SigV4VerificationResult<TPrincipal>> AwaitLookupAsync(
        ValueTask<SigningCredential<TPrincipal>?> lookup, SigV4Request request, ParsedAuthorization auth) =>
        Complete(request, auth, await lookup.ConfigureAwait(false));

    private SigV4VerificationResult<TPrincipal> Complete(SigV4Request request, in ParsedAuthorization auth, SigningCredential<TPrincipal>? credential)
    {
        if (credential is null)
        {
            return SigV4VerificationResult<TPrincipal>.Failure(SigV4Error.UnknownAccessKey());
        }

        PayloadHash payload = auth.UnsignedPayload ? PayloadHash.Unsigned : request.PayloadHash;
        Span<byte> signingKey = stackalloc byte[SigningAlgorithm.KeySize];
        Span<byte> expected = stackalloc byte[SigningAlgorithm.KeySize];
        Span<byte> provided = stackalloc byte[SigningAlgorithm.KeySize];
        var canonical = new ByteWriter(1024);
        var stringToSign = new ByteWriter(256);
        bool match;
        try
        {
            _keyCache.GetSigningKey(auth.AccessKeyId, auth.ScopeDateValue, auth.ScopeDate.Span, auth.Region, auth.Service, credential.SecretAccessKey, signingKey);
            CanonicalRequest.Write(
                ref canonical, request.Method, request.RawPath, _options.NormalizePath, request.RawQuery,
                excludeSignatureParameter: auth.IsPresigned, request.Headers, auth.SignedHeaders.Span, payload);
            SigningAlgorithm.WriteStringToSign(ref stringToSign, auth.AmzDate.Span, auth.Region, auth.Service, canonical.WrittenSpan);
            SigningAlgorithm.ComputeSignature(signingKey, stringToSign.WrittenSpan, expected);

            // Decode first, compare always: the comparison itself is constant-time over the 32 bytes.
            bool wellFormed = Hex.TryDecodeLower(auth.Signature.Span, provided);
            match = CryptographicOperations.FixedTimeEquals(expected, provided) & wellFormed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(signingKey);
            CryptographicOperations.ZeroMemory(expected);
            canonical.Dispose();
            stringToSign.Dispose();
        }

        if (!match)
        {
            return SigV4VerificationResult<TPrincipal>.Failure(SigV4Error.SignatureMismatch());
        }

        var scope = new CredentialScope(
            new DateOnly(auth.ScopeDateValue / 10000, auth.ScopeDateValue / 100 % 100, auth.ScopeDateValue % 100), auth.Region, auth.Service);
        return SigV4VerificationResult<TPrincipal>.Success(
            new SigV4Authentication<TPrincipal>(auth.AccessKeyId, scope, auth.RequestTime, credential, auth.SessionToken, auth.IsPresigned));
    }

    private SigV4Error? TryParse(in SigV4Request request, DateTimeOffset now, out ParsedAuthorization auth)
    {
        auth = default;
        string? authorization = null;
        int authorizationCount = 0;
        string? amzDate = null;
        string? date = null;
        string? securityToken = null;
        string? contentSha256 = null;
        IReadOnlyList<HttpHeader> headers = request.Headers;
        for (int i = 0; i < headers.Count; i++)
        {
            HttpHeader h = headers[i];
            if (h.Name.Equals("authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = h.Value;
                authorizationCount++;
            }
            else if (h.Name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase))
            {
                amzDate ??= h.Value;
            }
            else if (h.Name.Equals("date", StringComparison.OrdinalIgnoreCase))
            {
                date ??= h.Value;
            }
            else if (h.Name.Equals("x-amz-security-token", StringComparison.OrdinalIgnoreCase))
            {
                securityToken ??= h.Value;
            }
            else if (h.Name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase))
            {
                contentSha256 ??= h.Value;
            }
        }

        bool presigned = PresignedParameters.IsPresent(request.RawQuery);
        if (authorization is null && !presigned)
        {
            return SigV4Error.MissingAuthentication();
        }

        if (authorization is not null && presigned)
        {
            return SigV4Error.Incomplete(
                SigV4FailureReason.AmbiguousAuthentication,
                "Only one authentication mechanism is allowed; the request has both an Authorization header and `X-Amz-*` query authentication.");
        }

        bool unsignedPayload = _options.AllowUnsignedPayload && contentSha256 is not null
            && contentSha256.AsSpan().Trim().SequenceEqual(PayloadHash.UnsignedPayloadLiteral);

        SigV4Error? error = presigned
            ? ParsePresigned(request.RawQuery, now, securityToken, unsignedPayload, out auth)
            : ParseHeader(authorization!, authorizationCount, amzDate, date, now, securityToken, unsignedPayload, out auth);
        return error;
    }

    private SigV4Error? ParseHeader(
        string authorization, int count, string? amzDateHeader, string? dateHeader, DateTimeOffset now, string? securityToken, bool unsignedPayload, out ParsedAuthorization auth)
    {
        auth = default;
        if (count > 1)
        {
            return SigV4Error.Incomplete(SigV4FailureReason.MalformedAuthorization, "The request has more than one Authorization header.");
        }

        // spec: SigV4 Authorization header: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
        ReadOnlyMemory<char> value = authorization.AsMemory().Trim();
        int space = value.Span.IndexOf(' ');
        ReadOnlySpan<char> algorithm = space < 0 ? value.Span : value.Span[..space];
        if (!algorithm.SequenceEqual(SigningAlgorithm.Algorithm))
        {
            return SigV4Error.Incomplete(SigV4FailureReason.UnsupportedAlgorithm, $"Unsupported AWS 'algorithm': `{algorithm}`; only AWS4-HMAC-SHA256 is accepted.");
        }

        ReadOnlyMemory<char> credential = default, signedHeaders = default, signature = default;
        bool hasCredential = false, hasSignedHeaders = false, hasSignature = false;
        ReadOnlyMemory<char> rest = space < 0 ? ReadOnlyMemory<char>.Empty : value[(space + 1)..];
        while (!rest.IsEmpty)
        {
            int comma = rest.Span.IndexOf(',');
            ReadOnlyMemory<char> part = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? ReadOnlyMemory<char>.Empty : rest[(comma + 1)..];
            if (part.IsEmpty)
            {
                continue;
            }

            int eq = part.Span.IndexOf('=');
            if (eq < 0)
            {
                return SigV4Error.Incomplete(
                    SigV4FailureReason.MalformedAuthorization,
                    $"`{part}` is not a valid key=value pair (missing equal-sign) in the Authorization header.");
            }

            ReadOnlySpan<char> key = part.Span[..eq].Trim();
            ReadOnlyMemory<char> v = part[(eq + 1)..].Trim();
            bool duplicate;
            if (key.SequenceEqual("Credential"))
            {
                duplicate = hasCredential;
                (credential, hasCredential) = (v, true);
            }
            else if (key.SequenceEqual("SignedHeaders"))
            {
                duplicate = hasSignedHeaders;
                (signedHeaders, hasSignedHeaders) = (v, true);
            }
            else if (key.SequenceEqual("Signature"))
            {
                duplicate = hasSignature;
                (signature, hasSignature) = (v, true);
            }
            else
            {
                return SigV4Error.Incomplete(SigV4FailureReason.MalformedAuthorization, $"The Authorization header has an unknown parameter `{key}`.");
            }

            if (duplicate)
            {
                return SigV4Error.Incomplete(SigV4FailureReason.MalformedAuthorization, $"The Authorization header has parameter `{key}` more than once.");
            }
        }

        if (!hasCredential || !hasSignedHeaders || !hasSignature || (amzDateHeader is null && dateHeader is null))
        {
            // AWS lists every missing piece in one message.
            var missing = new List<string>(4);
            if (!hasCredential)
            {
                missing.Add("Authorization header requires 'Credential' parameter.");
            }

            if (!hasSignature)
            {
                missing.Add("Authorization header requires 'Signature' parameter.");
            }

            if (!hasSignedHeaders)
            {
                missing.Add("Authorization header requires 'SignedHeaders' parameter.");
            }

            if (amzDateHeader is null && dateHeader is null)
            {
                missing.Add("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            }

            SigV4FailureReason reason = hasCredential && hasSignature && hasSignedHeaders ? SigV4FailureReason.MissingDate : SigV4FailureReason.MalformedAuthorization;
            return SigV4Error.Incomplete(reason, string.Join(' ', missing));
        }

        ReadOnlyMemory<char> amzDate;
        DateTimeOffset requestTime;
        if (amzDateHeader is not null)
        {
            amzDate = amzDateHeader.AsMemory().Trim();
            if (!TryParseAmzDate(amzDate.Span, out requestTime))
            {
                return SigV4Error.Incomplete(
                    SigV4FailureReason.MalformedDate, $"X-Amz-Date must be in ISO 8601 basic format (yyyyMMddTHHmmssZ); got `{amzDateHeader}`.");
            }
        }
        else
        {
            // spec: SigV4 falls back to the HTTP Date header (RFC 7231 IMF-fixdate); the string to sign uses its ISO 8601 basic form.
            if (!DateTimeOffset.TryParseExact(dateHeader.AsSpan().Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out requestTime))
            {
                return SigV4Error.Incomplete(SigV4FailureReason.MalformedDate, $"The Date header must be an RFC 7231 date; got `{dateHeader}`.");
            }

            amzDate = SigningAlgorithm.FormatAmzDate(requestTime).AsMemory();
        }

        SigV4Error? error = ValidateScope(credential, amzDate, signedHeaders, out auth);
        if (error is not null)
        {
            return error;
        }

        // spec: AWS allows 5 minutes of clock skew either way for header-signed requests.
        if (requestTime < now - _options.ClockSkew)
        {
            return SigV4Error.Expired(SigV4FailureReason.RequestExpired, requestTime, now, _options.ClockSkew);
        }

        if (requestTime > now + _options.ClockSkew)
        {
            return SigV4Error.NotYetCurrent(requestTime, now, _options.ClockSkew);
        }

        auth = auth with
        {
            RequestTime = requestTime,
            Signature = signature,
            SessionToken = securityToken,
            IsPresigned = false,
            UnsignedPayload = unsignedPayload,
        };
        return null;
    }

    private SigV4Error? ParsePresigned(string rawQuery, DateTimeOffset now, string? headerToken, bool unsignedPayload, out ParsedAuthorization auth)
    {
        auth = default;
        PresignedParameters p = PresignedParameters.Parse(rawQuery, out string? duplicate);
        if (duplicate is not null)
        {
            return SigV4Error.Incomplete(SigV4FailureReason.MalformedAuthorization, $"The query parameter `{duplicate}` appears more than once.");
        }

        var missing = new List<string>();
        foreach ((string name, string? v) in new[]
        {
            ("X-Amz-Algorithm", p.Algorithm), ("X-Amz-Credential", p.Credential), ("X-Amz-Date", p.Date),
            ("X-Amz-Expires", p.Expires), ("X-Amz-SignedHeaders", p.SignedHeaders), ("X-Amz-Signature", p.Signature),
        })
        {
            if (v is null)
            {
                missing.Add($"Query-string authentication requires the '{name}' parameter.");
            }
        }

        if (missing.Count > 0)
        {
            return SigV4Error.Incomplete(SigV4FailureReason.MalformedAuthorization, string.Join(' ', missing));
        }

        if (p.Algorithm != SigningAlgorithm.Algorithm)
        {
            return SigV4Error.Incomplete(SigV4FailureReason.UnsupportedAlgorithm, $"Unsupported AWS 'algorithm': `{p.Algorithm}`; only AWS4-HMAC-SHA256 is accepted.");
        }

        if (!TryParseAmzDate(p.Date, out DateTimeOffset requestTime))
        {
            return SigV4Error.Incomplete(SigV4FailureReason.MalformedDate, $"X-Amz-Date must be in ISO 8601 basic format (yyyyMMddTHHmmssZ); got `{p.Date}`.");
        }

        // spec: SigV4 query auth, X-Amz-Expires: 1 to 604800 seconds (7 days).
        if (!int.TryParse(p.Expires, NumberStyles.None, CultureInfo.InvariantCulture, out int expires) || expires < 1 || expires > MaxPresignExpirySeconds)
        {
            return SigV4Error.Incomplete(
                SigV4FailureReason.InvalidExpires, $"X-Amz-Expires must be a whole number of seconds from 1 to {MaxPresignExpirySeconds}; got `{p.Expires}`.");
        }

        SigV4Error? error = ValidateScope(p.Credential.AsMemory(), p.Date.AsMemory(), p.SignedHeaders.AsMemory(), out auth);
        if (error is not null)
        {
            return error;
        }

        if (requestTime > now + _options.ClockSkew)
        {
            return SigV4Error.NotYetCurrent(requestTime, now, _options.ClockSkew);
        }

        TimeSpan validity = TimeSpan.FromSeconds(expires);
        if (now > requestTime + validity)
        {
            return SigV4Error.Expired(SigV4FailureReason.PresignedUrlExpired, requestTime, now, validity);
        }

        auth = auth with
        {
            RequestTime = requestTime,
            Signature = p.Signature.AsMemory(),
            SessionToken = p.SecurityToken ?? headerToken,
            IsPresigned = true,
            UnsignedPayload = unsignedPayload,
        };
        return null;
    }

    /// <summary>
    /// Checks <c>key/YYYYMMDD/region/service/aws4_request</c> against the options and the request date, and that
    /// <c>host</c> is signed.
    /// </summary>
    private SigV4Error? ValidateScope(ReadOnlyMemory<char> credential, ReadOnlyMemory<char> amzDate, ReadOnlyMemory<char> signedHeaders, out ParsedAuthorization auth)
    {
        auth = default;
        ReadOnlySpan<char> c = credential.Span;
        Span<Range> parts = stackalloc Range[6];
        int count = c.Split(parts, '/');
        if (count != 5 || c[parts[0]].IsEmpty || c[parts[2]].IsEmpty || c[parts[3]].IsEmpty)
        {
            return SigV4Error.Incomplete(
                SigV4FailureReason.MalformedCredentialScope,
                $"Credential `{credential}` is mal-formed; expecting `<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request`.");
        }

        ReadOnlyMemory<char> scopeDate = credential[parts[1]];
        ReadOnlySpan<char> region = c[parts[2]];
        ReadOnlySpan<char> service = c[parts[3]];
        ReadOnlySpan<char> terminator = c[parts[4]];
        if (!service.SequenceEqual(_options.Service))
        {
            return SigV4Error.Invalid(SigV4FailureReason.WrongService, $"Credential should be scoped to correct service: '{_options.Service}'.");
        }

        string? servedRegion = _options.Region;
        if (servedRegion is null && _options.Regions is { } regions)
        {
            for (var i = 0; i < regions.Count; i++) // indexed: no enumerator allocated per request
            {
                if (region.SequenceEqual(regions[i]))
                {
                    servedRegion = regions[i]; // the configured instance: no string per request
                    break;
                }
            }

            if (servedRegion is null)
            {
                return SigV4Error.Invalid(SigV4FailureReason.WrongRegion, $"Credential should be scoped to a valid region, not `{region}`.");
            }
        }
        else if (servedRegion is not null && !region.SequenceEqual(servedRegion))
        {
            return SigV4Error.Invalid(SigV4FailureReason.WrongRegion, $"Credential should be scoped to a valid region, not `{region}`.");
        }

        if (!terminator.SequenceEqual(SigningAlgorithm.Terminator))
        {
            return SigV4Error.Invalid(
                SigV4FailureReason.WrongTerminator, $"Credential should be scoped with a valid terminator: 'aws4_request', not `{terminator}`.");
        }

        if (amzDate.Length < SigningAlgorithm.ScopeDateLength
            || !scopeDate.Span.SequenceEqual(amzDate.Span[..SigningAlgorithm.ScopeDateLength])
            || !int.TryParse(scopeDate.Span, NumberStyles.None, CultureInfo.InvariantCulture, out int scopeDateValue))
        {
            return SigV4Error.Invalid(
                SigV4FailureReason.ScopeDateMismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: `{scopeDate}` != `{amzDate.Span[..Math.Min(8, amzDate.Length)]}`, from `{amzDate}`.");
        }

        if (!ContainsHost(signedHeaders.Span))
        {
            return SigV4Error.Invalid(SigV4FailureReason.HostNotSigned, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        auth = new ParsedAuthorization
        {
            AccessKeyId = c[parts[0]].ToString(),
            ScopeDate = scopeDate,
            ScopeDateValue = scopeDateValue,
            Region = servedRegion ?? region.ToString(),
            Service = _options.Service,
            AmzDate = amzDate,
            SignedHeaders = signedHeaders,
        };
        return null;
    }

    private static bool ContainsHost(ReadOnlySpan<char> signedHeaders)
    {
        foreach (Range r in signedHeaders.Split(';'))
        {
            if (signedHeaders[r].SequenceEqual("host"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseAmzDate(ReadOnlySpan<char> text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private readonly record struct ParsedAuthorization
    {
        public string AccessKeyId { get; init; }
        public ReadOnlyMemory<char> ScopeDate { get; init; }
        public int ScopeDateValue { get; init; }
        public string Region { get; init; }
        public string Service { get; init; }
        public ReadOnlyMemory<char> AmzDate { get; init; }
        public ReadOnlyMemory<char> SignedHeaders { get; init; }
        public ReadOnlyMemory<char> Signature { get; init; }
        public DateTimeOffset RequestTime { get; init; }
        public string? SessionToken { get; init; }
        public bool IsPresigned { get; init; }
        public bool UnsignedPayload { get; init; }
    }
}
