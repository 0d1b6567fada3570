using System.Buffers;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Kms;

/// <summary>The AWS KMS API (<c>TrentService</c>, AWS JSON 1.1): finds the operation, authorizes it, runs it, writes the response.</summary>
internal sealed class KmsService(KmsOperationTable operations, KmsAuthorizer authorizer, ILogger<KmsService> logger) : AwsJsonService(KmsOperationTable.TargetPrefix)
{
    public override AuditProfile Audit => KmsAuditProfile.Instance;

    public override string SigningName => "kms";

    public override async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (!operations.TryFind(target, out var operation))
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{target}` is not a KMS operation this server knows.");
            return;
        }

        var caller = new KmsCaller(request.Caller.Account, request.Region, request.Caller.Arn) { RequestId = request.RequestId };
        var output = new ArrayBufferWriter<byte>(512);
        try
        {
            await operation.InvokeAsync(caller, request.Body, accesses => authorizer.AuthorizeAsync(request, caller, accesses, context.RequestAborted), output, context.RequestAborted);
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
            logger.LogError(exception, "Request {RequestId} ({Operation}) failed inside the service", request.RequestId, operation.Name);
            await AwsJsonProtocol.WriteErrorAsync(context, 500, nameof(KmsErrorCode.KMSInternalException),
                "The request failed inside the service; see the server log for request " + request.RequestId + ".");
        }
        finally
        {
            output.Clear(); // zeroes the response buffer: it may have held plaintext
        }
    }
}
