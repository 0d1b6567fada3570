using System.Buffers;
using System.Security.Cryptography;
using Keyhaven.Audit.Trail;
using Keyhaven.Server.Audit;
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
/// finds the operation, authorizes it through the one authorizer, runs it and writes the response -> record the
/// audit event and wait for it to be committed -> only then release the response. No handler authenticates on its
/// own (the one exception is an operation AWS serves unsigned, AssumeRoleWithWebIdentity, which the service
/// authenticates by the token in its body), and no response (success, denial or error) leaves before its event is
/// durable: if the audit trail cannot write, the response is replaced by the service's internal error (500) carrying no data.
/// </summary>
internal sealed class RequestPipeline
{
    private readonly IReadOnlyList<IAwsService> _services;
    private readonly Dictionary<string, SigV4Verifier<CallerIdentity>> _verifiers;
    private readonly TimeProvider _time;
    private readonly AuditTrail _trail;
    private readonly AuditEventFactory _events;
    private readonly NetworkState _network;
    private readonly ILogger<RequestPipeline> _logger;
    private int _inFlight;

    public RequestPipeline(IEnumerable<IAwsService> services, KeyhavenServerOptions options, ISigningCredentialSource<CallerIdentity> credentials, AuditTrail trail,
        Deployment deployment, NetworkState network, ILogger<RequestPipeline> logger)
    {
        _network = network;
        _services = services.ToList();
        _time = options.Time;
        _trail = trail;
        _events = new AuditEventFactory(options.Region, deployment.Account.Value);
        _logger = logger;
        _verifiers = _services.Select(s => s.SigningName).Distinct(StringComparer.Ordinal).ToDictionary(
            name => name,
            name => new SigV4Verifier<CallerIdentity>(new SigV4VerifierOptions(name) { Regions = options.Regions }, credentials, options.Time),
            StringComparer.Ordinal);
    }

    /// <summary>The largest request body accepted: room for a 32 KB key policy or a 6 KB ciphertext, with JSON around them.</summary>
    public const int MaxBodyLength = 256 * 1024;

    /// <summary>How many requests are being handled now (their events not yet appended, or their responses not yet sent).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Completes true once no request is in flight, false if some still are after <paramref name="timeout"/>. At
    /// shutdown the trail is closed only after this: Kestrel stops waiting for requests after its shutdown timeout, but
    /// their handlers run on, and one that commits a change afterwards must still find the trail open for its event.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, TimeProvider time)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (InFlight > 0)
        {
            if (time.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time);
        }

        return true;
    }

    public async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleOneAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleOneAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("D");
        var receivedAt = _time.GetUtcNow();
        var client = context.Response.Body;
        using var held = new HeldResponse();
        context.Response.Body = held;
        var state = new RequestState(requestId, receivedAt, new AuditScope(), held);
        var (buffer, length) = (Array.Empty<byte>(), 0);
        try
        {
            SetEnvelopeHeaders(context, requestId, receivedAt);
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 405, "UnknownOperationException", "The AWS APIs accept only POST requests.");
            }
            else if (context.Request.ContentLength > MaxBodyLength)
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 413, "ValidationException", $"The request body is larger than {MaxBodyLength} bytes.");
            }
            else if (await TryReadBodyAsync(context, state) is { } body)
            {
                (buffer, length) = body;
                try
                {
                    await DispatchAsync(context, buffer, length, state);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    // The client went away mid-request; what was done is still recorded (no one will read the answer).
                    await ReplaceWithErrorAsync(context, state, 499, "RequestCanceled", "The client closed the connection before the response.");
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Services answer their own errors; what reaches here failed outside them (e.g. storage unreachable
                    // while authenticating the caller). Never a guess: a 5xx the SDKs retry.
                    var unavailable = IsStorageUnavailable(exception);
                    _logger.LogError(exception, "Request {RequestId} failed outside the services", requestId);
                    await ReplaceWithErrorAsync(context, state, unavailable ? 503 : 500, unavailable ? "ServiceUnavailable" : "InternalFailure",
                        unavailable ? "The service is temporarily unable to reach its storage; retry the request."
                            : "The request failed inside the service; see the server log for request " + requestId + ".");
                }
            }

            var auditEvent = _events.Create(new AuditEventFactory.Exchange(context, requestId, receivedAt, state.Service, state.Caller, state.Region, state.Audit,
                buffer.AsMemory(0, Math.Max(length, 0)), held.Written, state.VpcEndpointId));
            try
            {
                await _trail.AppendAsync(auditEvent);
            }
            catch (AuditWriteException exception)
            {
                // Fail closed: the request's outcome cannot be recorded, so none of it is released.
                _logger.LogError(exception, "Request {RequestId} failed: its audit event could not be committed", requestId);
                await ReplaceWithErrorAsync(context, state, 500, state.Service?.Audit.InternalErrorCode ?? "InternalFailure",
                    "The request could not be recorded in the audit trail; see the server log for request " + requestId + ".");
            }

            context.Response.Body = client;
            await client.WriteAsync(held.Written, context.RequestAborted);
        }
        finally
        {
            context.Response.Body = client;

            // The body may have held plaintext (Encrypt, GenerateDataKey): zero it before the pool reuses it (all of it
            // when the body was too large: length is then -1 but the buffer is full).
            if (buffer.Length > 0)
            {
                CryptographicOperations.ZeroMemory(length < 0 ? buffer : buffer.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task DispatchAsync(HttpContext context, byte[] buffer, int length, RequestState state)
    {
        if (length < 0)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 413, "ValidationException", $"The request body is larger than {MaxBodyLength} bytes.");
            return;
        }

        var body = buffer.AsMemory(0, length);
        var service = state.Service = FindService(context.Request, body.Span);
        var origin = _network.Resolve(context);
        state.VpcEndpointId = origin.Endpoint?.Id;
        if (origin.Endpoint is { } endpoint && service is not null && service.SigningName != endpoint.Service)
        {
            // AWS: an interface endpoint serves one service; another service's request never reaches that service.
            _logger.LogInformation("Request {RequestId} refused: {Service} request on VPC endpoint {Endpoint} of {EndpointService}",
                state.RequestId, service.SigningName, endpoint.Id, endpoint.Service);
            await service.WriteErrorAsync(context, 403, service.SigningName is "kms" or "organizations" ? "AccessDeniedException" : "AccessDenied",
                $"VPC endpoint `{endpoint.Id}` serves `{endpoint.Service}`, not `{service.SigningName}`; send this request to the `{service.SigningName}` endpoint.", state.RequestId);
            return;
        }

        if (service is not null && !IsSigned(context.Request) && service.IsUnsignedOperation(body.Span))
        {
            // AWS: AssumeRoleWithWebIdentity is not signed; the web identity token it carries is the credential.
            if (await EnsureWritableAsync(context, state, service))
            {
                await service.HandleUnsignedAsync(new UnsignedRequest(context, body, state.RequestId, origin, state.Audit));
            }

            return;
        }

        var verifier = _verifiers[service?.SigningName ?? _verifiers.Keys.First()];
        var verification = await verifier.VerifyAsync(ToSigV4Request(context, body.Span), context.RequestAborted);
        if (!verification.TryGetAuthentication(out var authentication))
        {
            var error = verification.Error!;
            _logger.LogInformation("Request {RequestId} failed authentication: {Reason}", state.RequestId, error.Reason);
            await (service is null
                ? AwsJsonProtocol.WriteErrorAsync(context, error.HttpStatusCode, error.Code, error.Message)
                : service.WriteErrorAsync(context, error.HttpStatusCode, error.Code, error.Message, state.RequestId));
            return;
        }

        state.Caller = authentication.Principal;
        state.Region = authentication.Scope.Region;
        if (SessionCredentialCheck.Check(authentication, _time.GetUtcNow()) is { } refused)
        {
            _logger.LogInformation("Request {RequestId} refused: {Code} for access key {AccessKeyId}", state.RequestId, refused.Code, authentication.AccessKeyId);
            await (service is null
                ? AwsJsonProtocol.WriteErrorAsync(context, refused.Status, refused.Code, refused.Message)
                : service.WriteErrorAsync(context, refused.Status, refused.Code, refused.Message, state.RequestId));
            return;
        }

        if (service is null)
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{target}` is not an operation this server knows.");
            return;
        }

        if (!await EnsureWritableAsync(context, state, service))
        {
            return;
        }

        try
        {
            await service.HandleAsync(new AwsRequest(context, body, authentication, state.RequestId, state.Audit, origin));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Services answer their own errors; this is a fault that escaped one. It is answered and audited like any other.
            _logger.LogError(exception, "Request {RequestId} failed inside the service", state.RequestId);
            await ReplaceWithErrorAsync(context, state, 500, service.Audit.InternalErrorCode,
                "The request failed inside the service; see the server log for request " + state.RequestId + ".");
        }
    }

    /// <summary>Storage (or the network to it) failed, as opposed to a bug: a temporary condition worth a retry.</summary>
    private static bool IsStorageUnavailable(Exception exception) =>
        exception is System.Data.Common.DbException or IOException or TimeoutException or System.Net.Sockets.SocketException
        || exception.InnerException is { } inner && IsStorageUnavailable(inner);

    /// <summary>Drops whatever response was written and writes an error in the service's protocol instead.</summary>
    private static Task ReplaceWithErrorAsync(HttpContext context, RequestState state, int status, string code, string message)
    {
        state.Held.Discard();
        context.Response.Headers.Clear();
        SetEnvelopeHeaders(context, state.RequestId, state.ReceivedAt);
        return state.Service is { } service
            ? service.WriteErrorAsync(context, status, code, message, state.RequestId)
            : AwsJsonProtocol.WriteErrorAsync(context, status, code, message);
    }

    private static void SetEnvelopeHeaders(HttpContext context, string requestId, DateTimeOffset now)
    {
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.Headers.Date = now.ToString("R");
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

    /// <summary>What the pipeline learns about a request as it goes, for its audit event.</summary>
    private sealed class RequestState(string requestId, DateTimeOffset receivedAt, AuditScope audit, HeldResponse held)
    {
        public string RequestId { get; } = requestId;
        public DateTimeOffset ReceivedAt { get; } = receivedAt;
        public AuditScope Audit { get; } = audit;
        public HeldResponse Held { get; } = held;
        public IAwsService? Service { get; set; }
        public CallerIdentity? Caller { get; set; }
        public string? Region { get; set; }
        public string? VpcEndpointId { get; set; }
    }

    /// <summary>
    /// Fail closed before anything runs: while the trail cannot write, no request is carried out. False (with the
    /// service's internal error written) when it cannot.
    /// </summary>
    private async Task<bool> EnsureWritableAsync(HttpContext context, RequestState state, IAwsService service)
    {
        try
        {
            await _trail.EnsureWritableAsync();
            return true;
        }
        catch (AuditWriteException exception)
        {
            _logger.LogError(exception, "Request {RequestId} refused: the audit trail cannot write", state.RequestId);
            await ReplaceWithErrorAsync(context, state, 500, service.Audit.InternalErrorCode,
                "The request could not be recorded in the audit trail; see the server log for request " + state.RequestId + ".");
            return false;
        }
    }

    /// <summary>
    /// Reads the body; null when reading failed, with the error written: Kestrel's own limits (a body too slow, or
    /// larger than it takes) and a client gone mid-body are answered and recorded like any other refusal.
    /// </summary>
    private async Task<(byte[] Buffer, int Length)?> TryReadBodyAsync(HttpContext context, RequestState state)
    {
        try
        {
            return await ReadBodyAsync(context.Request, context.RequestAborted);
        }
        catch (BadHttpRequestException exception)
        {
            _logger.LogInformation("Request {RequestId} refused while reading its body: {Reason}", state.RequestId, exception.Message);
            var (code, message) = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ("ValidationException", $"The request body is larger than {MaxBodyLength} bytes.")
                : exception.StatusCode == StatusCodes.Status408RequestTimeout ? ("RequestTimeout", "The request body did not arrive in time.")
                : ("SerializationException", "The request body could not be read.");
            await AwsJsonProtocol.WriteErrorAsync(context, exception.StatusCode, code, message);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            await ReplaceWithErrorAsync(context, state, 499, "RequestCanceled", "The client closed the connection before the request body was read.");
        }

        return null;
    }

    /// <summary>
    /// Reads the body into a pooled buffer; length -1 when it exceeds <see cref="MaxBodyLength"/> (reading stops one
    /// byte past it, whatever size the pool's array has). If reading fails, the part read is zeroed before the buffer
    /// goes back to the pool.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        const int Capacity = MaxBodyLength + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, MaxBodyLength) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                var room = Math.Min(buffer.Length, Capacity);
                if (length == room)
                {
                    if (room == Capacity)
                    {
                        return (buffer, -1);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, Capacity));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    continue;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, room - length), cancellationToken);
                if (read == 0)
                {
                    return length > MaxBodyLength ? (buffer, -1) : (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
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
