using System.Buffers;
using System.Security.Cryptography;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Network;
using Keyhaven.Server.Protocol;
using Keyhaven.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Pipeline;

/// <summary>
/// The request pipeline, the same for every API and operation: read the body (bounded) -> find the service
/// (X-Amz-Target prefix or Query Version) -> authenticate (SigV4 for that service) -> hand over to the service, which
/// finds the operation, authorizes it through the one authorizer, runs it and writes the response. No handler
/// authenticates on its own; the one exception is an operation AWS serves unsigned (AssumeRoleWithWebIdentity), which
/// the service authenticates by the token in its body.
/// </summary>
internal sealed class RequestPipeline
{
    private readonly IReadOnlyList<IAwsService> _services;
    private readonly Dictionary<string, SigV4Verifier<CallerIdentity>> _verifiers;
    private readonly TimeProvider _time;
    private readonly ILogger<RequestPipeline> _logger;
    private readonly NetworkState _network;

    public RequestPipeline(IEnumerable<IAwsService> services, KeyhavenServerOptions options, ISigningCredentialSource<CallerIdentity> credentials,
        NetworkState network, ILogger<RequestPipeline> logger)
    {
        _network = network;
        _services = services.ToList();
        _time = options.Time;
        _logger = logger;
        _verifiers = _services.Select(s => s.SigningName).Distinct(StringComparer.Ordinal).ToDictionary(
            name => name,
            name => new SigV4Verifier<CallerIdentity>(new SigV4VerifierOptions(name) { Region = options.Region }, credentials, options.Time),
            StringComparer.Ordinal);
    }

    /// <summary>The largest request body accepted: room for a 32 KB key policy or a 6 KB ciphertext, with JSON around them.</summary>
    public const int MaxBodyLength = 256 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.Headers.Date = _time.GetUtcNow().ToString("R");
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 405, "UnknownOperationException", "The AWS APIs accept only POST requests.");
            return;
        }

        if (context.Request.ContentLength > MaxBodyLength)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 413, "ValidationException", $"The request body is larger than {MaxBodyLength} bytes.");
            return;
        }

        var (buffer, length) = await ReadBodyAsync(context.Request, context.RequestAborted);
        try
        {
            if (length < 0)
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 413, "ValidationException", $"The request body is larger than {MaxBodyLength} bytes.");
                return;
            }

            var body = buffer.AsMemory(0, length);
            var service = FindService(context.Request, body.Span);
            var origin = _network.Resolve(context);
            if (origin.Endpoint is { } endpoint && service is not null && service.SigningName != endpoint.Service)
            {
                // AWS: an interface endpoint serves one service; another service's request never reaches that service.
                _logger.LogInformation("Request {RequestId} refused: {Service} request on VPC endpoint {Endpoint} of {EndpointService}",
                    requestId, service.SigningName, endpoint.Id, endpoint.Service);
                await service.WriteErrorAsync(context, 403, service.SigningName is "kms" or "organizations" ? "AccessDeniedException" : "AccessDenied",
                    $"VPC endpoint `{endpoint.Id}` serves `{endpoint.Service}`, not `{service.SigningName}`; send this request to the `{service.SigningName}` endpoint.", requestId);
                return;
            }

            if (service is not null && !IsSigned(context.Request) && service.IsUnsignedOperation(body.Span))
            {
                // AWS: AssumeRoleWithWebIdentity is not signed; the web identity token it carries is the credential.
                await service.HandleUnsignedAsync(new UnsignedRequest(context, body, requestId, origin));
                return;
            }

            var verifier = _verifiers[service?.SigningName ?? _verifiers.Keys.First()];
            var verification = await verifier.VerifyAsync(ToSigV4Request(context, body.Span), context.RequestAborted);
            if (!verification.TryGetAuthentication(out var authentication))
            {
                var error = verification.Error!;
                _logger.LogInformation("Request {RequestId} failed authentication: {Reason}", requestId, error.Reason);
                await (service is null
                    ? AwsJsonProtocol.WriteErrorAsync(context, error.HttpStatusCode, error.Code, error.Message)
                    : service.WriteErrorAsync(context, error.HttpStatusCode, error.Code, error.Message, requestId));
                return;
            }

            if (SessionCredentialCheck.Check(authentication, _time.GetUtcNow()) is { } refused)
            {
                _logger.LogInformation("Request {RequestId} refused: {Code} for access key {AccessKeyId}", requestId, refused.Code, authentication.AccessKeyId);
                await (service is null
                    ? AwsJsonProtocol.WriteErrorAsync(context, refused.Status, refused.Code, refused.Message)
                    : service.WriteErrorAsync(context, refused.Status, refused.Code, refused.Message, requestId));
                return;
            }

            if (service is null)
            {
                var target = context.Request.Headers["X-Amz-Target"].ToString();
                await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{target}` is not an operation this server knows.");
                return;
            }

            await service.HandleAsync(new AwsRequest(context, body, authentication, requestId, origin));
        }
        finally
        {
            // The body may have held plaintext (Encrypt, GenerateDataKey): zero it before the pool reuses it.
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, Math.Max(length, 0)));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsSigned(HttpRequest request) =>
        request.Headers.ContainsKey("Authorization") || request.Query.ContainsKey("X-Amz-Signature") || request.Query.ContainsKey("X-Amz-Credential");

    private IAwsService? FindService(HttpRequest request, ReadOnlySpan<byte> body)
    {
        foreach (var service in _services)
        {
            if (service.Matches(request, body))
            {
                return service;
            }
        }

        return null;
    }

    /// <summary>Reads the body into a pooled buffer; length -1 when it exceeds <see cref="MaxBodyLength"/>.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, MaxBodyLength) + 1);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxBodyLength)
                {
                    return (buffer, -1);
                }

                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyLength + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return length > MaxBodyLength ? (buffer, -1) : (buffer, length);
            }

            length += read;
        }
    }

    private static SigV4Request ToSigV4Request(HttpContext context, ReadOnlySpan<byte> body)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        var headers = new List<HttpHeader>(context.Request.Headers.Count + 2);
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new HttpHeader(name, value ?? string.Empty));
            }
        }

        return new SigV4Request(context.Request.Method, rawPath, rawQuery, headers, PayloadHash.Compute(body));
    }
}
