using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyhaven.Audit.Events;

/// <summary>
/// One audit event in the shape of an AWS CloudTrail record (the fields of the CloudTrail record contents, event
/// version 1.09). Never holds plaintext, key material or secrets: request parameters and response elements pass an
/// allow-list per operation before they get here. Immutable once built.
/// </summary>
public sealed record AuditEvent
{
    public string EventVersion { get; init; } = "1.09";

    public required AuditUserIdentity UserIdentity { get; init; }

    /// <summary>When the request arrived, UTC, whole seconds as CloudTrail writes it.</summary>
    public required DateTimeOffset EventTime { get; init; }

    /// <summary><c>kms.amazonaws.com</c>, <c>sts.amazonaws.com</c>, <c>iam.amazonaws.com</c>, …</summary>
    public required string EventSource { get; init; }

    /// <summary>The operation (<c>Encrypt</c>, <c>AssumeRole</c>); empty when the request named none the server knows.</summary>
    public required string EventName { get; init; }

    public required string AwsRegion { get; init; }

    public required string SourceIPAddress { get; init; }

    public string? UserAgent { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>The allow-listed request members (lower camel case, as CloudTrail writes them), or null (written as null, as CloudTrail does).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? RequestParameters { get; init; }

    /// <summary>The allow-listed response members, or null (written as null, as CloudTrail does).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? ResponseElements { get; init; }

    /// <summary>Further data: for a denial, the authorization decision (layer and statements).</summary>
    public JsonElement? AdditionalEventData { get; init; }

    public required string RequestID { get; init; }

    public required string EventID { get; init; }

    public bool ReadOnly { get; init; }

    public IReadOnlyList<AuditResource>? Resources { get; init; }

    public string EventType { get; init; } = "AwsApiCall";

    public bool ManagementEvent { get; init; } = true;

    public required string RecipientAccountId { get; init; }

    public string? VpcEndpointId { get; init; }

    public string EventCategory { get; init; } = "Management";

    /// <summary>The event as CloudTrail JSON (UTF-8, compact).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, AuditJsonContext.Default.AuditEvent);

    /// <summary>Reads an event written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Not an audit event.</exception>
    public static AuditEvent FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AuditJsonContext.Default.AuditEvent) ?? throw new JsonException("An audit event must be a JSON object.");
}
