using Keyhaven.Server.Audit;
using Keyhaven.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Protocol;

/// <summary>
/// What every AWS JSON 1.1 service shares: its requests are the ones whose <c>X-Amz-Target</c> starts with its prefix,
/// the operation is the rest of the target, and errors the pipeline raises are written as <c>{"__type","message"}</c>.
/// </summary>
internal abstract class AwsJsonService(string targetPrefix) : IAwsService
{
    public abstract string SigningName { get; }

    public abstract AuditProfile Audit { get; }

    public bool Matches(HttpRequest request, ReadOnlySpan<byte> body) =>
        request.Headers["X-Amz-Target"].ToString().StartsWith(targetPrefix, StringComparison.Ordinal);

    public Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId) =>
        AwsJsonProtocol.WriteErrorAsync(context, status, code, message);

    public abstract Task HandleAsync(AwsRequest request);

    /// <summary>The operation a matched request names: its target after the prefix.</summary>
    protected string OperationOf(HttpContext context) => context.Request.Headers["X-Amz-Target"].ToString()[targetPrefix.Length..];
}
