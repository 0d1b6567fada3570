using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Federation;
using Keyhaven.Identity.Sessions;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Sts;

internal sealed partial class StsService
{
    public bool IsUnsignedOperation(ReadOnlySpan<byte> body) => QueryRequest.Parse(body).Action == "AssumeRoleWithWebIdentity";

    public async Task HandleUnsignedAsync(UnsignedRequest request)
    {
        var query = QueryRequest.Parse(request.Body.Span);
        try
        {
            await AssumeRoleWithWebIdentityAsync(request.Http, query, request.RequestId, request.Audit, options.Time.GetUtcNow());
        }
        catch (IdentityException exception)
        {
            await AwsQueryProtocol.WriteErrorAsync(request.Http, Namespace, exception.HttpStatus, exception.WireCode, exception.Message, request.RequestId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} (AssumeRoleWithWebIdentity) failed inside the service", request.RequestId);
            await AwsQueryProtocol.WriteErrorAsync(request.Http, Namespace, 500, "InternalFailure",
                "The request failed inside the service; see the server log for request " + request.RequestId + ".", request.RequestId);
        }
    }

    /// <summary>
    /// AssumeRoleWithWebIdentity: verifies the token against its issuer, applies the configured group-to-role mappings
    /// of its provider (when the provider has any, the token's <c>groups</c> must hold a group mapped to the role), then
    /// lets the identity domain evaluate the trust policy and issue the session.
    /// </summary>
    private async Task AssumeRoleWithWebIdentityAsync(HttpContext context, QueryRequest query, string requestId, Keyhaven.Server.Audit.AuditScope audit, DateTimeOffset now)
    {
        var roleArn = QueryServiceErrors.Require(query, "RoleArn");
        var token = QueryServiceErrors.Require(query, "WebIdentityToken");
        if (query.Get("ProviderId") is not null)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "`ProviderId` is for OAuth 2.0 providers (Amazon, Facebook); Keyhaven federates OpenID Connect providers only.");
        }

        if (!TryRoleAccount(roleArn, out var roleAccount))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"`{roleArn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME).");
        }

        var verified = await webIdentity.VerifyAsync(token, roleAccount, context.RequestAborted);
        // From here on the caller is known: CloudTrail names it a WebIdentityUser (provider, audience, subject), denied or not.
        audit.RecordWebIdentityUser(verified.Provider.Arn, verified.Audience, verified.Subject);
        audit.AddResource(roleArn, roleAccount.Value, "AWS::IAM::Role");
        var mappings = network.Configuration.GroupRoles.Where(m => m.Provider == verified.Provider.Arn).ToList();
        if (mappings.Count > 0 && !mappings.Any(m => m.RoleArn == roleArn && verified.Groups.Contains(m.Group, StringComparer.Ordinal)))
        {
            logger.LogInformation("Request {RequestId}: {Subject} of {Provider} is in no group mapped to {Role}", requestId, verified.Subject, verified.Provider.Arn, roleArn);
            throw new IdentityException(IdentityErrorCode.AccessDenied,
                $"Not authorized to perform sts:AssumeRoleWithWebIdentity: no group of the token is mapped to `{roleArn}` for this provider.");
        }

        var input = new WebIdentityInput
        {
            Provider = verified.Provider, Subject = verified.Subject, Audience = verified.Audience, AuthenticationMethods = verified.AuthenticationMethods,
            Request = new AssumeRoleInput
            {
                RoleArn = roleArn, RoleSessionName = QueryServiceErrors.Require(query, "RoleSessionName"),
                DurationSeconds = QueryServiceErrors.GetInt(query, "DurationSeconds"), Policy = query.Get("Policy"),
                PolicyArns = query.GetStructureList("PolicyArns").Select(p => p.GetValueOrDefault("arn") ?? "").ToList(),
                Tags = verified.SessionTags, TransitiveTagKeys = verified.TransitiveTagKeys, SourceIdentity = verified.SourceIdentity, // AWS: from the token's source_identity claim, not a request parameter
            },
        };
        var assumed = await identity.AssumeRoleWithWebIdentityAsync(input, now, context.RequestAborted);
        logger.LogInformation("Request {RequestId}: {Subject} of {Provider} assumed {Session} ({AccessKeyId})",
            requestId, verified.Subject, verified.Provider.Arn, assumed.Arn, assumed.Credentials.AccessKeyId);
        await AwsQueryProtocol.WriteResultAsync(context, Namespace, "AssumeRoleWithWebIdentity", requestId, xml =>
        {
            WriteCredentials(xml, assumed.Credentials);
            xml.WriteElementString("SubjectFromWebIdentityToken", verified.Subject);
            xml.WriteStartElement("AssumedRoleUser");
            xml.WriteElementString("AssumedRoleId", assumed.AssumedRoleId);
            xml.WriteElementString("Arn", assumed.Arn);
            xml.WriteEndElement();
            if (assumed.PackedPolicySize is { } packed)
            {
                xml.WriteElementString("PackedPolicySize", packed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            xml.WriteElementString("Provider", verified.Provider.Url);
            xml.WriteElementString("Audience", verified.Audience);
            if (assumed.SourceIdentity is { } source)
            {
                xml.WriteElementString("SourceIdentity", source);
            }
        });
    }
}
