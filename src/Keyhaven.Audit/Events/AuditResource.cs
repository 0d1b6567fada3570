using System.Text.Json.Serialization;

namespace Keyhaven.Audit.Events;

/// <summary>A resource the request acted on (CloudTrail's <c>resources</c> entries).</summary>
/// <param name="Arn">The resource's ARN.</param>
/// <param name="AccountId">The account that owns it.</param>
/// <param name="Type">The CloudFormation-style type, e.g. <c>AWS::KMS::Key</c>.</param>
public sealed record AuditResource([property: JsonPropertyName("ARN")] string Arn, string AccountId, string Type);
