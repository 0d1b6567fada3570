using System.Text.Json;
using Keyhaven.Audit.Events;
using Keyhaven.Identity.Principals;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Audit;

/// <summary>
/// Builds a request's CloudTrail-shaped event from what the pipeline saw: the caller, the service and operation,
/// the allow-listed request and response members, the error, and what <see cref="AuditScope"/> collected. Thread-safe.
/// </summary>
internal sealed class AuditEventFactory(string defaultRegion, string deploymentAccount)
{
    private const int MaxUserAgentLength = 1024;

    /// <summary>Everything the pipeline knows about one finished request.</summary>
    public sealed record Exchange(
        HttpContext Http,
        string RequestId,
        DateTimeOffset ReceivedAt,
        IAwsService? Service,
        CallerIdentity? Caller,
        string? Region,
        AuditScope Scope,
        ReadOnlyMemory<byte> RequestBody,
        ReadOnlyMemory<byte> ResponseBody,
        string? VpcEndpointId = null);

    public AuditEvent Create(Exchange exchange)
    {
        var http = exchange.Http;
        var profile = exchange.Service?.Audit;
        QueryRequest? query = profile?.Protocol == AuditProtocol.Query ? QueryRequest.Parse(exchange.RequestBody.Span) : null;
        var name = OperationName(http.Request, query);
        var operation = profile?.Find(name);
        var status = http.Response.StatusCode;
        var (errorCode, errorMessage) = status >= 400 ? Error(http, profile, exchange.ResponseBody) : (null, null);

        JsonElement? requestParameters = operation is null ? null
            : query is not null ? QueryAuditReader.SelectRequest(query, operation.Request)
            : JsonAuditReader.Select(exchange.RequestBody, operation.Request, operation.RequestDefaults);
        JsonElement? responseElements = operation is null || errorCode is not null ? null
            : query is not null ? QueryAuditReader.SelectResponse(exchange.ResponseBody, name, operation.Response)
            : JsonAuditReader.Select(exchange.ResponseBody, operation.Response);

        var caller = exchange.Caller;
        var resources = exchange.Scope.Resources;
        return new AuditEvent
        {
            UserIdentity = caller is null ? exchange.Scope.UnsignedCaller ?? Unknown(http) : Identity(caller),
            EventTime = exchange.ReceivedAt,
            EventSource = profile?.EventSource ?? "unknown",
            EventName = name,
            AwsRegion = exchange.Region ?? defaultRegion,
            // As policies see it: an IPv4 client of a dual-stack listener as IPv4, not as ::ffff:a.b.c.d.
            SourceIPAddress = http.Connection.RemoteIpAddress is { } address ? Network.NetworkOrigin.Normalize(address).ToString() : "",
            UserAgent = UserAgent(http.Request),
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            RequestParameters = requestParameters,
            ResponseElements = responseElements,
            AdditionalEventData = exchange.Scope.Denial ?? exchange.Scope.Recipient,
            RequestID = exchange.RequestId,
            EventID = Guid.NewGuid().ToString("D"),
            ReadOnly = operation?.ReadOnly ?? false,
            Resources = resources,
            RecipientAccountId = resources is [var first, ..] ? first.AccountId : caller?.Account.Value ?? deploymentAccount,
            VpcEndpointId = exchange.VpcEndpointId,
        };
    }

    /// <summary>The operation a request names: the <c>X-Amz-Target</c> suffix (JSON) or the <c>Action</c> (Query).</summary>
    private static string OperationName(HttpRequest request, QueryRequest? query)
    {
        if (query is not null)
        {
            return query.Action;
        }

        var target = request.Headers["X-Amz-Target"].ToString();
        var dot = target.LastIndexOf('.');
        return Truncate(dot < 0 ? target : target[(dot + 1)..], 128) ?? "";
    }

    private static (string? Code, string? Message) Error(HttpContext http, AuditProfile? profile, ReadOnlyMemory<byte> body)
    {
        if (profile?.Protocol == AuditProtocol.Query)
        {
            var (code, message) = QueryAuditReader.Error(body);
            return (code ?? "HTTP" + http.Response.StatusCode, message);
        }

        var type = http.Response.Headers["x-amzn-ErrorType"].ToString();
        return (type.Length > 0 ? type : "HTTP" + http.Response.StatusCode, JsonAuditReader.ErrorMessage(body));
    }

    /// <summary>CloudTrail's userIdentity for an authenticated caller.</summary>
    public static AuditUserIdentity Identity(CallerIdentity caller)
    {
        var principal = caller.Principal;
        var account = caller.Account.Value;
        return principal.Kind switch
        {
            PrincipalKind.Root => new AuditUserIdentity
            {
                Type = "Root", PrincipalId = account, Arn = caller.Arn, AccountId = account, AccessKeyId = NullIfEmpty(caller.AccessKeyId),
                SessionContext = principal.IsSession ? Session(principal, issuer: null) : null,
            },
            PrincipalKind.User => new AuditUserIdentity
            {
                Type = "IAMUser", PrincipalId = caller.UserId, Arn = caller.Arn, AccountId = account, AccessKeyId = NullIfEmpty(caller.AccessKeyId),
                UserName = caller.UserName, SessionContext = principal.IsSession ? Session(principal, issuer: null) : null,
            },
            _ => new AuditUserIdentity
            {
                Type = "AssumedRole", PrincipalId = caller.UserId, Arn = caller.Arn, AccountId = account, AccessKeyId = NullIfEmpty(caller.AccessKeyId),
                SessionContext = Session(principal, principal.RoleArn is { } roleArn
                    ? new AuditSessionIssuer
                    {
                        Type = "Role",
                        PrincipalId = caller.UserId.Split(':')[0],
                        Arn = roleArn,
                        AccountId = account,
                        UserName = principal.RoleName ?? roleArn[(roleArn.LastIndexOf('/') + 1)..],
                    }
                    : null),
            },
        };
    }

    /// <summary>
    /// CloudTrail's sessionContext: the issuer, when the session was created (and, a Keyhaven addition, until when), no
    /// MFA (Keyhaven sessions never carry it), the source identity, and for web identity sessions the provider.
    /// </summary>
    private static AuditSessionContext Session(IdentityPrincipal principal, AuditSessionIssuer? issuer) => new()
    {
        SessionIssuer = issuer,
        WebIdFederationData = WebIdentity(principal),
        Attributes = new AuditSessionAttributes { CreationDate = principal.SessionCreated, ExpirationDate = principal.SessionExpiration, MfaAuthenticated = "false" },
        SourceIdentity = principal.SourceIdentity,
    };

    /// <summary>
    /// For a session from AssumeRoleWithWebIdentity, CloudTrail's <c>webIdFederationData</c>: the provider's ARN and, as
    /// attributes, the token's audience and subject under the provider's condition-key names (<c>HOST/PATH:aud</c>,
    /// <c>HOST/PATH:sub</c>).
    /// </summary>
    private static AuditWebIdFederationData? WebIdentity(IdentityPrincipal principal)
    {
        if (principal.FederatedProvider is not { } provider)
        {
            return null;
        }

        var url = provider[(provider.IndexOf(":oidc-provider/", StringComparison.Ordinal) + ":oidc-provider/".Length)..];
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (principal.WebIdentityAudience is { } audience)
        {
            attributes[url + ":aud"] = audience;
        }

        if (principal.WebIdentitySubject is { } subject)
        {
            attributes[url + ":sub"] = subject;
        }

        return new AuditWebIdFederationData { FederatedProvider = provider, Attributes = attributes };
    }

    /// <summary>An unauthenticated request: only the access key id it claimed (from the Authorization header or the query).</summary>
    private static AuditUserIdentity Unknown(HttpContext http)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        string? accessKeyId = null;
        if (start >= 0)
        {
            var rest = authorization[(start + "Credential=".Length)..];
            var slash = rest.IndexOf('/');
            accessKeyId = slash > 0 ? rest[..slash] : null;
        }
        else if (http.Request.Query["X-Amz-Credential"].ToString() is { Length: > 0 } credential && credential.IndexOf('/') is > 0 and var slash)
        {
            accessKeyId = credential[..slash];
        }

        return new AuditUserIdentity { Type = "Unknown", AccessKeyId = Truncate(accessKeyId, 128) };
    }

    private static string? UserAgent(HttpRequest request) => Truncate(request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null, MaxUserAgentLength);

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
