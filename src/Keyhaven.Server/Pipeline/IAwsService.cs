using Keyhaven.Server.Audit;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Pipeline;

/// <summary>
/// One AWS API served on the endpoint (KMS, STS, IAM, Organizations). The pipeline routes a request to the service
/// that recognizes it, verifies its SigV4 signature for that service's signing name, and hands the authenticated
/// request over. A service only maps its protocol to its domain: it never authenticates on its own.
/// </summary>
internal interface IAwsService
{
    /// <summary>The SigV4 service name of the credential scope (<c>kms</c>, <c>sts</c>, <c>iam</c>, <c>organizations</c>).</summary>
    string SigningName { get; }

    /// <summary>How the service's requests appear in the audit trail (event source, protocol, allow-list per operation).</summary>
    AuditProfile Audit { get; }

    /// <summary>True when the request is for this service (an <c>X-Amz-Target</c> prefix, or a Query <c>Version</c>).</summary>
    bool Matches(HttpRequest request, ReadOnlySpan<byte> body);

    /// <summary>Writes an error the pipeline raised (authentication) in the service's protocol.</summary>
    Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId);

    /// <summary>Runs an authenticated request and writes its response, success or error, in the service's protocol.</summary>
    Task HandleAsync(AwsRequest request);

    /// <summary>True when the (unsigned) request is an operation AWS serves without a signature; false for every other.</summary>
    bool IsUnsignedOperation(ReadOnlySpan<byte> body) => false;

    /// <summary>Runs an operation that <see cref="IsUnsignedOperation"/> accepted.</summary>
    Task HandleUnsignedAsync(UnsignedRequest request) => throw new NotSupportedException("This service has no unsigned operations.");
}
