using System.Globalization;
using System.Text.Json;
using Keyhaven.Audit.Reading;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.CloudTrail;

/// <summary>
/// The subset of AWS CloudTrail (<c>CloudTrail_20131101</c>, AWS JSON 1.1, signing name <c>cloudtrail</c>) that lets
/// the AWS CLI and SDKs read the audit trail: LookupEvents, newest first, over the caller's account's events.
/// Authorization: <c>cloudtrail:LookupEvents</c> on <c>*</c>, decided by the policy engine like every IAM call.
/// </summary>
internal sealed class CloudTrailService(AuditReader reader, IdentityCallAuthorizer authorizer, ILogger<CloudTrailService> logger) : AwsJsonService(TargetPrefix)
{
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

    public override AuditProfile Audit => CloudTrailAuditProfile.Instance;

    public override string SigningName => "cloudtrail";

    public override async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var operation = OperationOf(context);
        if (operation != "LookupEvents")
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{operation}` is not a CloudTrail operation this server knows.");
            return;
        }

        if (await authorizer.AuthorizeAsync(request, "cloudtrail:LookupEvents", "*", context.RequestAborted) is { } denial)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "AccessDeniedException", denial);
            return;
        }

        try
        {
            var lookup = LookupEventsRequest.Parse(request.Body);
            var account = request.Caller.Account.Value;
            var page = new List<StoredAuditEvent>(lookup.MaxResults + 1);
            if (!lookup.InsightsOnly)
            {
                // The newest events first, from just before the token's position: MaxResults, and one more to know whether there are more.
                await foreach (var stored in reader.ReadNewestFirstAsync(lookup.Filter, lookup.Before ?? 0, context.RequestAborted))
                {
                    var e = stored.Event;
                    if ((e.RecipientAccountId == account || e.UserIdentity.AccountId == account)
                        && (lookup.ResourceType is null || e.Resources?.Any(r => r.Type == lookup.ResourceType) == true))
                    {
                        page.Add(stored);
                        if (page.Count > lookup.MaxResults)
                        {
                            break;
                        }
                    }
                }
            }

            var more = page.Count > lookup.MaxResults;
            var events = page.Take(lookup.MaxResults).ToList();
            await WriteAsync(context, events, more ? lookup.NextTokenBefore(events[^1].Sequence) : null);
        }
        catch (CloudTrailException exception)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, exception.Code, exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} (LookupEvents) failed inside the service", request.RequestId);
            await AwsJsonProtocol.WriteErrorAsync(context, 500, Audit.InternalErrorCode, "The request failed inside the service; see the server log for request " + request.RequestId + ".");
        }
    }

    private static async Task WriteAsync(HttpContext context, IReadOnlyList<StoredAuditEvent> events, string? nextToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Events");
            foreach (var stored in events)
            {
                var e = stored.Event;
                writer.WriteStartObject();
                writer.WriteString("EventId", e.EventID);
                writer.WriteString("EventName", e.EventName);
                writer.WriteString("ReadOnly", e.ReadOnly ? "true" : "false");
                if (e.UserIdentity.AccessKeyId is { } accessKeyId)
                {
                    writer.WriteString("AccessKeyId", accessKeyId);
                }

                writer.WriteNumber("EventTime", e.EventTime.ToUnixTimeMilliseconds() / 1000.0);
                writer.WriteString("EventSource", e.EventSource);
                if (Username(e.UserIdentity) is { } username)
                {
                    writer.WriteString("Username", username);
                }

                writer.WriteStartArray("Resources");
                foreach (var resource in e.Resources ?? [])
                {
                    writer.WriteStartObject();
                    writer.WriteString("ResourceType", resource.Type);
                    writer.WriteString("ResourceName", resource.Arn);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("CloudTrailEvent", System.Text.Encoding.UTF8.GetString(stored.Json.Span));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (nextToken is not null)
            {
                writer.WriteString("NextToken", nextToken);
            }

            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = AwsJsonProtocol.ContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    /// <summary>CloudTrail's Username: the user name (a web identity's subject), <c>root</c>, or a role session's name.</summary>
    private static string? Username(Keyhaven.Audit.Events.AuditUserIdentity identity) => identity.Type switch
    {
        "Root" => "root",
        "IAMUser" or "WebIdentityUser" => identity.UserName,
        "AssumedRole" => identity.Arn?[(identity.Arn.LastIndexOf('/') + 1)..],
        _ => null,
    };
}
