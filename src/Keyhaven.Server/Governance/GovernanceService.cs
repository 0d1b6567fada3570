using System.Text.Json;
using Keyhaven.Identity.Organizations;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Governance;

/// <summary>
/// The governance API (Keyhaven's own, AWS JSON 1.1: <c>X-Amz-Target: KeyhavenGovernance.Operation</c>, SigV4 signing
/// name <c>keyhaven</c>): <c>AnalyzeFindings</c> and <c>AnalyzeKeyAccess</c>, the findings <c>keyhaven analyze</c>
/// prints. Authorized like every IAM call: the caller's identity policies must allow <c>keyhaven:AnalyzeFindings</c>
/// or <c>keyhaven:AnalyzeKeyAccess</c> on <c>*</c> (the account root is allowed). A caller sees its own account's
/// resources; the organization's management account sees every account's.
/// </summary>
internal sealed class GovernanceService(GovernanceAnalysis analysis, IdentityCallAuthorizer authorizer, OrganizationStore organizations,
    ILogger<GovernanceService> logger) : AwsJsonService(TargetPrefix)
{
    public const string TargetPrefix = "KeyhavenGovernance.";
    public const string EventSource = "governance.keyhaven";
    private const int MaxBody = 4096;

    public override AuditProfile Audit => GovernanceAuditProfile.Instance;

    public override string SigningName => "keyhaven";

    public override async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var operation = OperationOf(context);
        if (operation is not ("AnalyzeFindings" or "AnalyzeKeyAccess"))
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{operation}` is not a governance operation this server knows.");
            return;
        }

        if (await authorizer.AuthorizeAsync(request, "keyhaven:" + operation, "*", context.RequestAborted) is { } denial)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "AccessDeniedException", denial);
            return;
        }

        try
        {
            var body = Parse(request.Body);
            var accounts = await ScopeAsync(request.Caller.Account.Value, context.RequestAborted);
            using var buffer = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                if (operation == "AnalyzeFindings")
                {
                    var options = new GovernanceOptions
                    {
                        Analyzers = GovernanceAnalyzerNames.Parse(Strings(body, "analyzers")),
                        UnusedDays = Int(body, "unusedDays") ?? 90,
                        RecentUseDays = Int(body, "recentUseDays") ?? 30,
                        Accounts = accounts,
                    };
                    GovernanceJson.Write(writer, await analysis.AnalyzeAsync(options, context.RequestAborted));
                }
                else
                {
                    var keyId = String(body, "keyId") ?? throw new ArgumentException("`keyId` is required.");
                    var action = String(body, "action") ?? throw new ArgumentException("`action` is required.");
                    GovernanceJson.Write(writer, await analysis.WhoCanUseAsync(keyId, action, accounts, context.RequestAborted));
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = AwsJsonProtocol.ContentType;
            context.Response.ContentLength = buffer.Length;
            await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
        }
        catch (ArgumentException exception)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "ValidationException", exception.Message.Split(" (Parameter")[0]);
        }
        catch (KeyNotFoundException exception)
        {
            await AwsJsonProtocol.WriteErrorAsync(context, 400, "NotFoundException", exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} ({Operation}) failed inside the service", request.RequestId, operation);
            await AwsJsonProtocol.WriteErrorAsync(context, 500, Audit.InternalErrorCode, "The request failed inside the service; see the server log for request " + request.RequestId + ".");
        }
    }

    /// <summary>The accounts the caller may analyse: its own, or every account (null) for the organization's management account.</summary>
    private async Task<IReadOnlySet<string>?> ScopeAsync(string account, CancellationToken cancellationToken) =>
        await organizations.GetGuardrailsAsync(account, cancellationToken) is { } guardrails && guardrails.ManagementAccount.Value == account
            ? null
            : new HashSet<string>(StringComparer.Ordinal) { account };

    private static JsonElement Parse(ReadOnlyMemory<byte> body)
    {
        if (body.Length > MaxBody)
        {
            throw new ArgumentException($"The request body is larger than {MaxBody} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(body.IsEmpty ? "{}"u8.ToArray() : body, new JsonDocumentOptions { MaxDepth = 4 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : throw new ArgumentException("The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw new ArgumentException("The request body is not valid JSON.");
        }
    }

    private static string? String(JsonElement body, string member) =>
        !body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 2048 } text ? text
        : throw new ArgumentException($"`{member}` must be a string of 1 to 2048 characters.");

    private static int? Int(JsonElement body, string member) =>
        !body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number
        : throw new ArgumentException($"`{member}` must be a whole number.");

    private static IEnumerable<string> Strings(JsonElement body, string member) =>
        !body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null ? []
        : value.ValueKind == JsonValueKind.Array && value.GetArrayLength() <= 8 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? value.EnumerateArray().Select(v => v.GetString()!).ToList()
            : throw new ArgumentException($"`{member}` must be an array of at most 8 analyzer names.");
}
