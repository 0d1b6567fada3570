using System.Text.Json;
using Keyhaven.Kms.Errors;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Protocol;

/// <summary>The AWS JSON 1.1 protocol's envelope: content type, request id, and errors as <c>{"__type","message"}</c>.</summary>
internal static class AwsJsonProtocol
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>The HTTP status AWS KMS answers with for an error code: client errors 400, service faults 500/503.</summary>
    public static int StatusFor(KmsErrorCode code) => code switch
    {
        KmsErrorCode.KMSInternalException => 500,
        KmsErrorCode.DryRunOperationException => 412,
        _ => 400,
    };

    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers["x-amzn-ErrorType"] = code;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }
}
