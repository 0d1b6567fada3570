using Keyhaven.Server.Audit;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Network;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Keyhaven.Server.Sts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Ec2;

/// <summary>
/// The part of Amazon EC2 (Query protocol, version 2016-11-15, signing name <c>ec2</c>) that administers the simulated
/// network: <c>ModifyVpcEndpoint</c> (an endpoint's policy: <c>PolicyDocument</c>, <c>ResetPolicy</c>) and
/// <c>DescribeVpcEndpoints</c>. Every other EC2 action is <c>InvalidAction</c>.
/// </summary>
/// <remarks>
/// Authorization, as in AWS: <c>ec2:ModifyVpcEndpoint</c> on the endpoint's ARN
/// (<c>arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/vpce-…</c>, with <c>ec2:Region</c> and <c>ec2:VpceServiceName</c>), and
/// <c>ec2:DescribeVpcEndpoints</c> on <c>*</c> (EC2's Describe actions take no resource), decided by the policy engine
/// over the caller's identity policies, boundary, session policy, SCPs and the policy of the VPC endpoint the call came
/// through. A caller sees and changes only the endpoints of VPCs its own account owns.
/// </remarks>
internal sealed partial class Ec2Service(IdentityCallAuthorizer authorizer, NetworkState network, PolicyCompilation policies, KeyhavenServerOptions options,
    ILogger<Ec2Service> logger) : IAwsService
{
    public AuditProfile Audit => Ec2AuditProfile.Instance;

    public string SigningName => "ec2";

    public bool Matches(HttpRequest request, ReadOnlySpan<byte> body) => QueryServiceErrors.IsQueryRequest(request, body, Ec2Protocol.Version);

    /// <summary>Writes an error the pipeline raised, with the code EC2 uses for it.</summary>
    public Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId)
    {
        // EC2 says AuthFailure where KMS says UnrecognizedClientException or InvalidSignatureException, and
        // RequestExpired for an expired session token; see "Common client error codes" in the EC2 API Reference.
        var (ec2Status, ec2Code) = code switch
        {
            "MissingAuthenticationTokenException" => (401, "MissingAuthenticationToken"),
            "IncompleteSignatureException" => (400, "IncompleteSignature"),
            "InvalidSignatureException" or "UnrecognizedClientException" => (401, "AuthFailure"),
            "ExpiredTokenException" => (400, "RequestExpired"),
            "AccessDenied" or "AccessDeniedException" => (403, "UnauthorizedOperation"),
            "InternalFailure" => (500, "InternalError"),
            "ServiceUnavailable" => (503, "Unavailable"),
            _ => (status, code),
        };
        return Ec2Protocol.WriteErrorAsync(context, ec2Status, ec2Code, message, requestId);
    }

    public async Task HandleAsync(AwsRequest request)
    {
        var query = QueryRequest.Parse(request.Body.Span);
        try
        {
            switch (query.Action)
            {
                case "ModifyVpcEndpoint":
                    await ModifyVpcEndpointAsync(request, query);
                    return;
                case "DescribeVpcEndpoints":
                    await DescribeVpcEndpointsAsync(request, query);
                    return;
                default:
                    throw new Ec2Exception(400, "InvalidAction", $"The action `{query.Action}` is not valid for this web service (Keyhaven serves ModifyVpcEndpoint and DescribeVpcEndpoints).");
            }
        }
        catch (Ec2Exception exception)
        {
            await Ec2Protocol.WriteErrorAsync(request.Http, exception.Status, exception.Code, exception.Message, request.RequestId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} ({Action}) failed inside the service", request.RequestId, query.Action);
            await Ec2Protocol.WriteErrorAsync(request.Http, 500, "InternalError",
                "The request failed inside the service; see the server log for request " + request.RequestId + ".", request.RequestId);
        }
    }

    /// <summary>Asks the authorizer; a denial is EC2's <c>UnauthorizedOperation</c> (403).</summary>
    private async Task AuthorizeAsync(AwsRequest request, string action, string resource, IReadOnlyDictionary<string, Keyhaven.Policy.Context.ContextValues>? conditions = null)
    {
        if (await authorizer.AuthorizeAsync(request, action, resource, request.Http.RequestAborted, conditions) is { } denial)
        {
            throw new Ec2Exception(403, "UnauthorizedOperation", "You are not authorized to perform this operation. " + denial);
        }
    }

    /// <summary>After a successful authorization, a <c>DryRun</c> request stops with EC2's <c>DryRunOperation</c> (412).</summary>
    private static void StopIfDryRun(QueryRequest query)
    {
        if (Ec2Protocol.GetBool(query.Parameters, "DryRun") == true)
        {
            throw new Ec2Exception(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
        }
    }

    /// <summary>Refuses parameters this server does not model (subnets, route tables, DNS options, …) instead of ignoring them.</summary>
    private static void OnlyParameters(QueryRequest query, params string[] known)
    {
        foreach (var name in query.Parameters.Keys)
        {
            var root = name.Split('.')[0];
            if (root is not ("Action" or "Version") && !known.Contains(root, StringComparer.Ordinal))
            {
                throw new Ec2Exception(400, "UnsupportedOperation",
                    $"Parameter `{name}` is not supported by Keyhaven's {query.Action}; it supports {string.Join(", ", known.Select(k => $"`{k}`"))}.");
            }
        }
    }
}
