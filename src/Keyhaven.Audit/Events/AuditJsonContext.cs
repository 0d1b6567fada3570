using System.Text.Json.Serialization;

namespace Keyhaven.Audit.Events;

/// <summary>Source-generated JSON for audit events: CloudTrail's lower camel case names, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(CloudTrailTimeConverter)])]
[JsonSerializable(typeof(AuditEvent))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
