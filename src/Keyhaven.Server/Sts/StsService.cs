using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Sts;

/// <summary>
/// AWS STS (Query protocol, version 2011-06-15): AssumeRole, GetCallerIdentity, GetSessionToken. Authorization: any
/// principal may call GetCallerIdentity; AssumeRole is decided by the role's trust policy and the caller's identity
/// policies (in <see cref="IdentityStore.AssumeRoleAsync"/>); GetSessionToken needs long-term credentials.
/// </summary>
internal sealed class StsService(IdentityStore identity, KeyhavenServerOptions options, ILogger<StsService> logger) : IAwsService
{
    public const string Version = "2011-06-15";
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public AuditProfile Audit => StsAuditProfile.Instance;

    public string SigningName => "sts";

    public bool Matches(HttpRequest request, ReadOnlySpan<byte> body) => QueryServiceErrors.IsQueryRequest(request, body, Version);

    public Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId) =>
        QueryServiceErrors.WriteAuthenticationErrorAsync(context, Namespace, status, code, message, requestId);

    public async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var query = QueryRequest.Parse(request.Body.Span);
        var caller = request.Caller.Principal;
        var now = options.Time.GetUtcNow();
        try
        {
            switch (query.Action)
            {
                case "GetCallerIdentity":
                    await AwsQueryProtocol.WriteResultAsync(context, Namespace, query.Action, request.RequestId, xml =>
                    {
                        xml.WriteElementString("UserId", caller.UserId);
                        xml.WriteElementString("Account", caller.Account.Value);
                        xml.WriteElementString("Arn", caller.Arn);
                    });
                    return;

                case "AssumeRole":
                {
                    if (query.GetStructureList("Tags").Count > 0 || query.GetStructureList("PolicyArns").Count > 0)
                    {
                        throw new IdentityException(IdentityErrorCode.ValidationError, "Session tags and managed session policies (`Tags`, `PolicyArns`) are not supported yet.");
                    }

                    var assumed = await identity.AssumeRoleAsync(caller, QueryServiceErrors.Require(query, "RoleArn"), QueryServiceErrors.Require(query, "RoleSessionName"),
                        QueryServiceErrors.GetInt(query, "DurationSeconds"), query.Get("Policy"), query.Get("ExternalId"), now, context.RequestAborted);
                    logger.LogInformation("Request {RequestId}: {Caller} assumed {Session} ({AccessKeyId})", request.RequestId, caller.Arn, assumed.Arn, assumed.Credentials.AccessKeyId);
                    await AwsQueryProtocol.WriteResultAsync(context, Namespace, query.Action, request.RequestId, xml =>
                    {
                        WriteCredentials(xml, assumed.Credentials);
                        xml.WriteStartElement("AssumedRoleUser");
                        xml.WriteElementString("AssumedRoleId", assumed.AssumedRoleId);
                        xml.WriteElementString("Arn", assumed.Arn);
                        xml.WriteEndElement();
                    });
                    return;
                }

                case "GetSessionToken":
                {
                    if (query.Get("SerialNumber") is not null || query.Get("TokenCode") is not null)
                    {
                        throw new IdentityException(IdentityErrorCode.ValidationError, "MFA (`SerialNumber`, `TokenCode`) is not supported yet.");
                    }

                    var credentials = await identity.GetSessionTokenAsync(caller, QueryServiceErrors.GetInt(query, "DurationSeconds"), now, context.RequestAborted);
                    await AwsQueryProtocol.WriteResultAsync(context, Namespace, query.Action, request.RequestId, xml => WriteCredentials(xml, credentials));
                    return;
                }

                default:
                    await AwsQueryProtocol.WriteErrorAsync(context, Namespace, 400, "InvalidAction",
                        $"Could not find operation `{query.Action}` for version {Version}.", request.RequestId);
                    return;
            }
        }
        catch (IdentityException exception)
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, exception.HttpStatus, exception.WireCode, exception.Message, request.RequestId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} ({Action}) failed inside the service", request.RequestId, query.Action);
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, 500, "InternalFailure",
                "The request failed inside the service; see the server log for request " + request.RequestId + ".", request.RequestId);
        }
    }

    private static void WriteCredentials(System.Xml.XmlWriter xml, Keyhaven.Identity.Sessions.SessionCredentials credentials)
    {
        xml.WriteStartElement("Credentials");
        xml.WriteElementString("AccessKeyId", credentials.AccessKeyId);
        xml.WriteElementString("SecretAccessKey", credentials.SecretAccessKey);
        xml.WriteElementString("SessionToken", credentials.SessionToken);
        xml.WriteElementString("Expiration", AwsQueryProtocol.Timestamp(credentials.Expiration));
        xml.WriteEndElement();
    }
}
