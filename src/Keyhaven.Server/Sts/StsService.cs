using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Sessions;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Sts;

/// <summary>
/// AWS STS (Query protocol, version 2011-06-15): AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity,
/// GetSessionToken, GetAccessKeyInfo.
/// Authorization: any principal may call GetCallerIdentity; AssumeRole is decided by the role's trust policy, the
/// caller's identity policies, the VPC endpoint's policy, the caller's SCPs and the role's RCPs, with the request's network keys (in
/// <see cref="IdentityStore.AssumeRoleAsync"/>), with <c>sts:TagSession</c> and <c>sts:SetSourceIdentity</c> when the
/// session gets tags or a source identity; GetSessionToken needs long-term credentials and the VPC endpoint's allow;
/// GetAccessKeyInfo needs <c>sts:GetAccessKeyInfo</c> in the caller's identity policies.
/// </summary>
internal sealed partial class StsService(IdentityStore identity, IdentityCallAuthorizer authorizer, KeyhavenServerOptions options,
    Keyhaven.Server.Federation.WebIdentityTokenVerifier webIdentity, Keyhaven.Server.Network.NetworkState network, ILogger<StsService> logger) : IAwsService
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
        if (SessionTokenRestrictions.Check(caller, SigningName, query.Action) is { } restricted)
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, restricted.Status, restricted.Code, restricted.Message, request.RequestId);
            return;
        }

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
                    // CloudTrail names the role as the event's resource (and its account as the recipient), allowed or not.
                    if (query.Get("RoleArn") is { } roleArn && TryRoleAccount(roleArn, out var roleAccount))
                    {
                        request.Audit.AddResource(roleArn, roleAccount.Value, "AWS::IAM::Role");
                    }

                    var input = new AssumeRoleInput
                    {
                        RoleArn = QueryServiceErrors.Require(query, "RoleArn"), RoleSessionName = QueryServiceErrors.Require(query, "RoleSessionName"),
                        DurationSeconds = QueryServiceErrors.GetInt(query, "DurationSeconds"), Policy = query.Get("Policy"), ExternalId = query.Get("ExternalId"),
                        PolicyArns = query.GetStructureList("PolicyArns").Select(p => p.GetValueOrDefault("arn") ?? "").ToList(),
                        Tags = query.GetStructureList("Tags").Select(t => KeyValuePair.Create(t.GetValueOrDefault("Key") ?? "", t.GetValueOrDefault("Value") ?? "")).ToList(),
                        TransitiveTagKeys = query.GetList("TransitiveTagKeys"), SourceIdentity = query.Get("SourceIdentity"),
                    };
                    var assumed = await identity.AssumeRoleAsync(caller, input, now, await authorizer.AssumeRoleContextAsync(request, input.RoleArn, context.RequestAborted), context.RequestAborted);
                    logger.LogInformation("Request {RequestId}: {Caller} assumed {Session} ({AccessKeyId})", request.RequestId, caller.Arn, assumed.Arn, assumed.Credentials.AccessKeyId);
                    await AwsQueryProtocol.WriteResultAsync(context, Namespace, query.Action, request.RequestId, xml =>
                    {
                        WriteCredentials(xml, assumed.Credentials);
                        xml.WriteStartElement("AssumedRoleUser");
                        xml.WriteElementString("AssumedRoleId", assumed.AssumedRoleId);
                        xml.WriteElementString("Arn", assumed.Arn);
                        xml.WriteEndElement();
                        if (assumed.PackedPolicySize is { } packed)
                        {
                            xml.WriteElementString("PackedPolicySize", packed.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }

                        if (assumed.SourceIdentity is { } source)
                        {
                            xml.WriteElementString("SourceIdentity", source);
                        }
                    });
                    return;
                }

                case "AssumeRoleWithWebIdentity":
                    await AssumeRoleWithWebIdentityAsync(context, query, request.RequestId, request.Audit, now);
                    return;

                case "GetAccessKeyInfo":
                {
                    var accessKeyId = QueryServiceErrors.Require(query, "AccessKeyId");
                    if (await authorizer.AuthorizeAsync(request, "sts:GetAccessKeyInfo", "*", context.RequestAborted) is { } denial)
                    {
                        throw new IdentityException(IdentityErrorCode.AccessDenied, denial);
                    }

                    var account = await identity.FindAccessKeyAccountAsync(accessKeyId, context.RequestAborted)
                        ?? throw new IdentityException(IdentityErrorCode.ValidationError, $"Access key `{accessKeyId}` was not issued by this deployment.");
                    await AwsQueryProtocol.WriteResultAsync(context, Namespace, query.Action, request.RequestId, xml => xml.WriteElementString("Account", account));
                    return;
                }

                case "GetSessionToken":
                {
                    if (query.Get("SerialNumber") is not null || query.Get("TokenCode") is not null)
                    {
                        throw new IdentityException(IdentityErrorCode.ValidationError, "MFA (`SerialNumber`, `TokenCode`) is not supported yet.");
                    }

                    // spec: IAM/latest/UserGuide/reference_sts_vpc_endpoint_policies.html (no identity permission is needed; the endpoint's policy applies)
                    if (await authorizer.AuthorizeEndpointAsync(request, "sts:GetSessionToken", "*", context.RequestAborted) is { } endpointDenial)
                    {
                        throw new IdentityException(IdentityErrorCode.AccessDenied, endpointDenial);
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

    internal static void WriteCredentials(System.Xml.XmlWriter xml, Keyhaven.Identity.Sessions.SessionCredentials credentials)
    {
        xml.WriteStartElement("Credentials");
        xml.WriteElementString("AccessKeyId", credentials.AccessKeyId);
        xml.WriteElementString("SecretAccessKey", credentials.SecretAccessKey);
        xml.WriteElementString("SessionToken", credentials.SessionToken);
        xml.WriteElementString("Expiration", AwsQueryProtocol.Timestamp(credentials.Expiration));
        xml.WriteEndElement();
    }

    /// <summary>The account of a role ARN named by a request (AssumeRole, AssumeRoleWithWebIdentity); false when it is not an ARN with an account.</summary>
    private static bool TryRoleAccount(string roleArn, out Keyhaven.Policy.Arns.AccountId account)
    {
        account = default;
        return Keyhaven.Policy.Arns.Arn.TryParse(roleArn, out var arn) && Keyhaven.Policy.Arns.AccountId.TryParse(arn.Account, out account);
    }
}
