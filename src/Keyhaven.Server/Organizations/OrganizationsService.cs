using System.Text.Json;
using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Organizations;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Organizations;

/// <summary>
/// AWS Organizations (<c>AWSOrganizationsV20161128</c>, AWS JSON 1.1, signing name <c>organizations</c>): maps each
/// operation to <see cref="OrganizationStore"/> and back. Authorization: the domain refuses every caller but the
/// management account's root (<c>AccessDeniedException</c>), before reading or changing anything; a call through a VPC
/// endpoint also needs the endpoint policy's allow of <c>organizations:&lt;Operation&gt;</c>, checked first.
/// </summary>
internal sealed class OrganizationsService(IdentityStore identity, Keyhaven.Server.Authorization.IdentityCallAuthorizer authorizer, KeyhavenServerOptions options,
    ILogger<OrganizationsService> logger) : AwsJsonService(TargetPrefix)
{
    public const string TargetPrefix = "AWSOrganizationsV20161128.";

    public override AuditProfile Audit => OrganizationsAuditProfile.Instance;

    public override string SigningName => "organizations";

    public override async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var operation = OperationOf(context);
        var org = identity.Organizations;
        var caller = request.Caller.Principal;
        var now = options.Time.GetUtcNow();
        var ct = context.RequestAborted;
        try
        {
            // spec: organizations/latest/userguide/create-vpc-endpoint-policy.html (the endpoint policy must allow the action)
            if (await authorizer.AuthorizeEndpointAsync(request, "organizations:" + operation, "*", ct) is { } endpointDenial)
            {
                throw new OrganizationException(OrganizationErrorCode.AccessDeniedException, endpointDenial);
            }

            JsonElement input;
            try
            {
                using var parsed = JsonDocument.Parse(request.Body.IsEmpty ? "{}"u8.ToArray() : request.Body, new JsonDocumentOptions { MaxDepth = 16 });
                input = parsed.RootElement.ValueKind == JsonValueKind.Object ? parsed.RootElement.Clone()
                    : throw new OrganizationException(OrganizationErrorCode.InvalidInputException, "The request body must be a JSON object.");
            }
            catch (JsonException)
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 400, "SerializationException", "The request body is not valid JSON.");
                return;
            }

            string? S(string member) => input.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            string R(string member) => S(member) ?? throw new OrganizationException(OrganizationErrorCode.InvalidInputException, $"`{member}` is required.", "INPUT_REQUIRED");
            string Id(string member, System.Text.RegularExpressions.Regex pattern) => OrganizationIdPatterns.Check(R(member), pattern, member);

            // spec: MaxResults 1-20; NextToken opaque. The token is the offset of the next item (a tampered token only moves the window).
            Action<Utf8JsonWriter> Page<T>(string name, IReadOnlyList<T> values, Action<Utf8JsonWriter, T> write)
            {
                var max = 20;
                if (input.TryGetProperty("MaxResults", out var maxResults))
                {
                    max = maxResults.ValueKind == JsonValueKind.Number && maxResults.TryGetInt32(out var m) && m is >= 1 and <= 20 ? m
                        : throw new OrganizationException(OrganizationErrorCode.InvalidInputException, "`MaxResults` must be between 1 and 20.", "INVALID_INPUT");
                }

                var start = 0;
                if (S("NextToken") is { } token && (!int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start) || start > values.Count))
                {
                    throw new OrganizationException(OrganizationErrorCode.InvalidInputException, "`NextToken` is not a token this server issued.", "INVALID_NEXT_TOKEN");
                }

                var page = values.Skip(start).Take(max).ToList();
                var next = start + page.Count < values.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                return w =>
                {
                    List(name, page, write)(w);
                    if (next is not null)
                    {
                        w.WriteString("NextToken", next);
                    }
                };
            }

            Action<Utf8JsonWriter>? output = operation switch
            {
                "CreateOrganization" => await CreateOrganizationAsync(S("FeatureSet")),
                "DescribeOrganization" => Organization(await org.DescribeOrganizationAsync(caller, ct)),
                "ListRoots" => Page("Roots", await org.ListRootsAsync(caller, ct), WriteRoot),
                "EnablePolicyType" => Single("Root", await org.EnablePolicyTypeAsync(caller, Id("RootId", OrganizationIdPatterns.Root()), R("PolicyType"), ct), WriteRoot),
                "CreateAccount" => Status(await org.CreateAccountAsync(caller, R("Email"), R("AccountName"), S("RoleName"), now, ct)),
                "DescribeCreateAccountStatus" => Status(await org.DescribeCreateAccountStatusAsync(caller, Id("CreateAccountRequestId", OrganizationIdPatterns.CreateAccountRequest()), ct)),
                "ListAccounts" => Page("Accounts", await org.ListAccountsAsync(caller, ct), WriteAccount),
                "ListAccountsForParent" => Page("Accounts", await org.ListAccountsForParentAsync(caller, Id("ParentId", OrganizationIdPatterns.Parent()), ct), WriteAccount),
                "DescribeAccount" => Single("Account", await org.DescribeAccountAsync(caller, Id("AccountId", OrganizationIdPatterns.Account()), ct), WriteAccount),
                "RemoveAccountFromOrganization" => await Done(org.RemoveAccountFromOrganizationAsync(caller, Id("AccountId", OrganizationIdPatterns.Account()), ct)),
                "CreateOrganizationalUnit" => Single("OrganizationalUnit", await org.CreateOrganizationalUnitAsync(caller, Id("ParentId", OrganizationIdPatterns.Parent()), R("Name"), ct), WriteUnit),
                "ListOrganizationalUnitsForParent" => Page("OrganizationalUnits", await org.ListOrganizationalUnitsForParentAsync(caller, Id("ParentId", OrganizationIdPatterns.Parent()), ct), WriteUnit),
                "DescribeOrganizationalUnit" => Single("OrganizationalUnit", await org.DescribeOrganizationalUnitAsync(caller, Id("OrganizationalUnitId", OrganizationIdPatterns.OrganizationalUnit()), ct), WriteUnit),
                "ListParents" => Parents(await org.GetParentAsync(caller, Id("ChildId", OrganizationIdPatterns.Child()), ct)),
                "MoveAccount" => await Done(org.MoveAccountAsync(caller, Id("AccountId", OrganizationIdPatterns.Account()), Id("SourceParentId", OrganizationIdPatterns.Parent()), Id("DestinationParentId", OrganizationIdPatterns.Parent()), ct)),
                "CreatePolicy" => Single("Policy", await org.CreatePolicyAsync(caller, R("Name"), R("Description"), R("Type"), R("Content"), ct), WritePolicy),
                "UpdatePolicy" => Single("Policy", await org.UpdatePolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), S("Name"), S("Description"), S("Content"), ct), WritePolicy),
                "DeletePolicy" => await Done(org.DeletePolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), ct)),
                "DescribePolicy" => Single("Policy", await org.DescribePolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), ct), WritePolicy),
                "ListPolicies" => Page("Policies", await org.ListPoliciesAsync(caller, R("Filter"), ct), WritePolicySummary),
                "ListPoliciesForTarget" => Page("Policies", await org.ListPoliciesForTargetAsync(caller, Id("TargetId", OrganizationIdPatterns.Target()), R("Filter"), ct), WritePolicySummary),
                "ListTargetsForPolicy" => Page("Targets", await org.ListTargetsForPolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), ct), WriteTarget),
                "AttachPolicy" => await Done(org.AttachPolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), Id("TargetId", OrganizationIdPatterns.Target()), ct)),
                "DetachPolicy" => await Done(org.DetachPolicyAsync(caller, Id("PolicyId", OrganizationIdPatterns.Policy()), Id("TargetId", OrganizationIdPatterns.Target()), ct)),
                _ => null,
            };
            if (output is null)
            {
                await AwsJsonProtocol.WriteErrorAsync(context, 400, "UnknownOperationException", $"Operation `{operation}` is not an AWS Organizations operation this server knows.");
                return;
            }

            await WriteAsync(context, output);
        }
        catch (OrganizationException exception)
        {
            await WriteErrorAsync(context, exception.Code.ToString(), exception.Message, exception.Reason);
        }
        catch (IdentityException exception)
        {
            // CreateAccount creates the access role through the identity store; its refusals are input errors here.
            await WriteErrorAsync(context, nameof(OrganizationErrorCode.InvalidInputException), exception.Message, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} (Organizations {Operation}) failed inside the service", request.RequestId, operation);
            await AwsJsonProtocol.WriteErrorAsync(context, 500, "ServiceException", "The request failed inside the service; see the server log for request " + request.RequestId + ".");
        }

        async Task<Action<Utf8JsonWriter>> CreateOrganizationAsync(string? featureSet)
        {
            if (featureSet is not (null or "ALL"))
            {
                throw new OrganizationException(OrganizationErrorCode.InvalidInputException, $"Feature set `{featureSet}` is not supported: Keyhaven organizations have all features (ALL).", "INVALID_ENUM");
            }

            var created = await org.CreateOrganizationAsync(caller, now, ct);
            logger.LogInformation("Request {RequestId}: {Caller} created organization {Organization}", request.RequestId, caller.Arn, created.Id);
            return Organization(created);
        }
    }

    private static async Task<Action<Utf8JsonWriter>> Done(Task task)
    {
        await task;
        return _ => { };
    }

    private static Action<Utf8JsonWriter> Single<T>(string name, T value, Action<Utf8JsonWriter, T> write) => w =>
    {
        w.WritePropertyName(name);
        write(w, value);
    };

    private static Action<Utf8JsonWriter> List<T>(string name, IReadOnlyList<T> values, Action<Utf8JsonWriter, T> write) => w =>
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            write(w, value);
        }

        w.WriteEndArray();
    };

    private static Action<Utf8JsonWriter> Parents((string Id, string Type) parent) => w =>
    {
        w.WriteStartArray("Parents");
        w.WriteStartObject();
        w.WriteString("Id", parent.Id);
        w.WriteString("Type", parent.Type);
        w.WriteEndObject();
        w.WriteEndArray();
    };

    private static Action<Utf8JsonWriter> Organization(OrganizationInfo o) => w =>
    {
        w.WriteStartObject("Organization");
        w.WriteString("Id", o.Id);
        w.WriteString("Arn", o.Arn);
        w.WriteString("FeatureSet", "ALL");
        w.WriteString("MasterAccountArn", o.ManagementAccountArn);
        w.WriteString("MasterAccountId", o.ManagementAccountId);
        w.WriteString("MasterAccountEmail", o.ManagementAccountEmail);
        w.WriteStartArray("AvailablePolicyTypes"); // deprecated by AWS (see the root's PolicyTypes); AWS sends SCPs here
        w.WriteStartObject();
        w.WriteString("Type", "SERVICE_CONTROL_POLICY");
        w.WriteString("Status", "ENABLED");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    };

    private static Action<Utf8JsonWriter> Status(CreateAccountStatus s) => w =>
    {
        w.WriteStartObject("CreateAccountStatus");
        w.WriteString("Id", s.Id);
        w.WriteString("AccountName", s.AccountName);
        w.WriteString("State", s.State);
        Timestamp(w, "RequestedTimestamp", s.RequestedTimestamp);
        if (s.CompletedTimestamp is { } completed)
        {
            Timestamp(w, "CompletedTimestamp", completed);
        }

        if (s.AccountId is not null)
        {
            w.WriteString("AccountId", s.AccountId);
        }

        if (s.FailureReason is not null)
        {
            w.WriteString("FailureReason", s.FailureReason);
        }

        w.WriteEndObject();
    };

    private static void WriteRoot(Utf8JsonWriter w, OrganizationRoot r)
    {
        w.WriteStartObject();
        w.WriteString("Id", r.Id);
        w.WriteString("Arn", r.Arn);
        w.WriteString("Name", r.Name);
        w.WriteStartArray("PolicyTypes");
        foreach (var type in r.PolicyTypes)
        {
            w.WriteStartObject();
            w.WriteString("Type", WireType(type));
            w.WriteString("Status", "ENABLED");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAccount(Utf8JsonWriter w, OrganizationAccount a)
    {
        w.WriteStartObject();
        w.WriteString("Id", a.Id);
        w.WriteString("Arn", a.Arn);
        w.WriteString("Email", a.Email);
        w.WriteString("Name", a.Name);
        w.WriteString("Status", "ACTIVE");
        w.WriteString("State", "ACTIVE");
        w.WriteString("JoinedMethod", a.Created ? "CREATED" : "INVITED");
        Timestamp(w, "JoinedTimestamp", a.JoinedTimestamp);
        w.WriteEndObject();
    }

    private static void WriteUnit(Utf8JsonWriter w, OrganizationalUnit u)
    {
        w.WriteStartObject();
        w.WriteString("Id", u.Id);
        w.WriteString("Arn", u.Arn);
        w.WriteString("Name", u.Name);
        w.WriteEndObject();
    }

    private static void WritePolicySummary(Utf8JsonWriter w, OrganizationPolicy p)
    {
        w.WriteStartObject();
        w.WriteString("Id", p.Id);
        w.WriteString("Arn", p.Arn);
        w.WriteString("Name", p.Name);
        w.WriteString("Description", p.Description);
        w.WriteString("Type", WireType(p.Type));
        w.WriteBoolean("AwsManaged", p.AwsManaged);
        w.WriteEndObject();
    }

    private static void WritePolicy(Utf8JsonWriter w, OrganizationPolicy p)
    {
        w.WriteStartObject();
        w.WritePropertyName("PolicySummary");
        WritePolicySummary(w, p);
        w.WriteString("Content", p.Content);
        w.WriteEndObject();
    }

    private static void WriteTarget(Utf8JsonWriter w, PolicyTarget t)
    {
        w.WriteStartObject();
        w.WriteString("TargetId", t.TargetId);
        w.WriteString("Arn", t.Arn);
        w.WriteString("Name", t.Name);
        w.WriteString("Type", t.Type);
        w.WriteEndObject();
    }

    private static string WireType(OrganizationPolicyType type) =>
        type == OrganizationPolicyType.ServiceControlPolicy ? "SERVICE_CONTROL_POLICY" : "RESOURCE_CONTROL_POLICY";

    // AWS JSON 1.1 timestamps are epoch seconds.
    private static void Timestamp(Utf8JsonWriter w, string name, DateTimeOffset value) => w.WriteNumber(name, value.ToUnixTimeMilliseconds() / 1000.0);

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = AwsJsonProtocol.ContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    /// <summary>Organizations errors are HTTP 400 with <c>__type</c>, <c>Message</c> and, for constraint and input errors, <c>Reason</c>.</summary>
    private static async Task WriteErrorAsync(HttpContext context, string code, string message, string? reason)
    {
        context.Response.StatusCode = 400;
        context.Response.ContentType = AwsJsonProtocol.ContentType;
        context.Response.Headers["x-amzn-ErrorType"] = code;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            writer.WriteString("Message", message);
            if (reason is not null)
            {
                writer.WriteString("Reason", reason);
            }

            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
