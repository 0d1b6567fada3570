using System.Buffers;
using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms;
using Keyhaven.Server.Protocol;
using Keyhaven.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Pipeline;

/// <summary>
/// The request pipeline of the KMS API, the same for every operation: read the body (bounded) -> authenticate
/// (SigV4) -> find the operation (X-Amz-Target) -> authorize -> handle -> write the AWS JSON response. No handler
/// authenticates or authorizes on its own.
/// </summary>
internal sealed class KmsEndpoint(
    SigV4Verifier<CallerIdentity> verifier,
    KmsOperationTable operations,
    IRequestAuthorizer authorizer,
    TimeProvider time,
    ILogger<KmsEndpoint> logger)
{
    /// <summary>The largest request body accepted: room for a 32 KB key policy or a 6 KB ciphertext, with JSON around them.</summary>
    public const int MaxBodyLength = 256 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.Headers.Date = time.GetUtcNow().ToString("R");
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 405, "UnknownOperationException", "The KMS API accepts only POST requests.");
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
            var verification = await verifier.VerifyAsync(ToSigV4Request(context, body.Span), context.RequestAborted);
            if (!verification.TryGetAuthentication(out var authentication))
            {
                var error = verification.Error!;
                logger.LogInformation("Request {RequestId} failed authentication: {Reason}", requestId, error.Reason);
                await AwsJsonProtocol.WriteErrorAsync(context, error.HttpStatusCode, error.Code, error.Message);
                return;
            }

            var target = context.Request.Headers["X-Amz-Target"].ToString();
            if (!operations.TryFind(target, out var operation))
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{target}` is not a KMS operation this server knows.");
                return;
            }

            var identity = authentication.Principal;
            if (authorizer.Authorize(identity, operation.Name) is { } denial)
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 400, nameof(KmsErrorCode.AccessDeniedException), denial);
                return;
            }

            await InvokeAsync(context, operation, new KmsCaller(identity.Account, authentication.Scope.Region, identity.Arn), body, requestId);
        }
        finally
        {
            // The body may have held plaintext (Encrypt, GenerateDataKey): zero it before the pool reuses it.
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, Math.Max(length, 0)));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task InvokeAsync(HttpContext context, KmsOperation operation, KmsCaller caller, ReadOnlyMemory<byte> body, string requestId)
    {
        var output = new ArrayBufferWriter<byte>(512);
        try
        {
            await operation.InvokeAsync(caller, body, output, context.RequestAborted);
            context.Response.StatusCode = 200;
            context.Response.ContentType = AwsJsonProtocol.ContentType;
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
        catch (KmsException exception)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, AwsJsonProtocol.StatusFor(exception.Code), exception.Code.ToString(), exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} ({Operation}) failed inside the service", requestId, operation.Name);
            await AwsJsonProtocol.WriteErrorAsync(context, 500, nameof(KmsErrorCode.KMSInternalException), "The request failed inside the service; see the server log for request " + requestId + ".");
        }
        finally
        {
            output.Clear(); // zeroes the response buffer: it may have held plaintext
        }
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
