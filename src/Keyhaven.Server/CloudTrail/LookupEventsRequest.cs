using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyhaven.Audit.Reading;

namespace Keyhaven.Server.CloudTrail;

/// <summary>
/// A LookupEvents request, read and checked at the edge with CloudTrail's error codes (spec: cloudtrail-2013-11-01
/// LookupEventsRequest). A <c>NextToken</c> is <c>SEQUENCE.QUERY</c>: the position to continue before, and a digest of
/// the query it was issued for (time range, lookup attribute, category), so that, as AWS requires, it is only taken
/// back with the same parameters.
/// </summary>
internal sealed record LookupEventsRequest(AuditEventFilter Filter, string? ResourceType, int MaxResults, long? Before, bool InsightsOnly, string Query)
{
    public const int DefaultMaxResults = 50;

    /// <summary>The token that continues this query before <paramref name="sequence"/>.</summary>
    public string NextTokenBefore(long sequence) => sequence.ToString(CultureInfo.InvariantCulture) + "." + Query;

    /// <exception cref="CloudTrailException">A member is missing, malformed or out of range.</exception>
    public static LookupEventsRequest Parse(ReadOnlyMemory<byte> body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body.IsEmpty ? "{}"u8.ToArray() : body, new JsonDocumentOptions { MaxDepth = 8 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CloudTrailException("SerializationException", "The request body is not valid JSON.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CloudTrailException("SerializationException", "The request body must be a JSON object.");
        }

        var start = Time(root, "StartTime");
        var end = Time(root, "EndTime");
        if (start is not null && end is not null && start > end)
        {
            throw new CloudTrailException("InvalidTimeRangeException", "The `StartTime` is after the `EndTime`.");
        }

        var max = DefaultMaxResults;
        if (root.TryGetProperty("MaxResults", out var maxResults) && maxResults.ValueKind != JsonValueKind.Null)
        {
            max = maxResults.ValueKind == JsonValueKind.Number && maxResults.TryGetInt32(out var m) && m is >= 1 and <= 50 ? m
                : throw new CloudTrailException("InvalidMaxResultsException", "`MaxResults` must be between 1 and 50.");
        }

        var insights = false;
        if (root.TryGetProperty("EventCategory", out var category) && category.ValueKind != JsonValueKind.Null)
        {
            insights = category.ValueKind == JsonValueKind.String && category.GetString() == "insight"
                ? true
                : throw new CloudTrailException("InvalidEventCategoryException", "`EventCategory` must be `insight`.");
        }

        var filter = new AuditEventFilter { From = start, To = end?.AddTicks(1) };
        string? resourceType = null;
        string? attributeKey = null, attributeValue = null;
        if (root.TryGetProperty("LookupAttributes", out var attributes) && attributes.ValueKind != JsonValueKind.Null)
        {
            if (attributes.ValueKind != JsonValueKind.Array || attributes.GetArrayLength() > 1)
            {
                throw new CloudTrailException("InvalidLookupAttributesException", "`LookupAttributes` may hold one attribute.");
            }

            foreach (var attribute in attributes.EnumerateArray())
            {
                var key = attribute.ValueKind == JsonValueKind.Object && attribute.TryGetProperty("AttributeKey", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                var value = attribute.ValueKind == JsonValueKind.Object && attribute.TryGetProperty("AttributeValue", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (key is null || value is null || value.Length == 0 || WeightedLength(value) > 2000)
                {
                    throw new CloudTrailException("InvalidLookupAttributesException", "Each lookup attribute needs an `AttributeKey` and an `AttributeValue` of 1 to 2000 characters.");
                }

                (filter, resourceType) = key switch
                {
                    "EventId" => (filter with { EventId = value }, null),
                    "EventName" => (filter with { EventName = value }, null),
                    "ReadOnly" => (filter with { ReadOnly = ReadOnlyValue(value) }, null),
                    "Username" => (filter with { Principal = value }, null),
                    "ResourceName" => (filter with { Resource = value }, null),
                    "ResourceType" => (filter, value),
                    "EventSource" => (filter with { EventSource = value }, null),
                    "AccessKeyId" => (filter with { AccessKeyId = value }, null),
                    _ => throw new CloudTrailException("InvalidLookupAttributesException", $"`{key}` is not a lookup attribute key."),
                };
                (attributeKey, attributeValue) = (key, value);
            }
        }

        var query = QueryDigest(start, end, attributeKey, attributeValue, insights);
        long? before = null;
        if (root.TryGetProperty("NextToken", out var token) && token.ValueKind != JsonValueKind.Null)
        {
            before = token.ValueKind == JsonValueKind.String && token.GetString()!.Split('.') is [var position, var issuedFor]
                && long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 && issuedFor == query
                ? b
                : throw new CloudTrailException("InvalidNextTokenException", "`NextToken` is not a token this server issued for these parameters.");
        }

        return new LookupEventsRequest(filter, resourceType, max, before, insights, query);
    }

    /// <summary>The first 16 hex digits of SHA-256 over the query's parameters (not a secret: it only ties a token to its query).</summary>
    private static string QueryDigest(DateTimeOffset? start, DateTimeOffset? end, string? key, string? value, bool insights)
    {
        var text = string.Join('\n', start?.ToUnixTimeMilliseconds(), end?.ToUnixTimeMilliseconds(), key, value, insights);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>CloudTrail's length of an attribute value: <c>_</c>, space, <c>,</c> and newline count twice.</summary>
    private static int WeightedLength(string value) => value.Length + value.Count(c => c is '_' or ' ' or ',' or '\n');

    private static bool ReadOnlyValue(string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new CloudTrailException("InvalidLookupAttributesException", "The `ReadOnly` lookup attribute's value must be `true` or `false`."),
    };

    /// <summary>AWS JSON 1.1 timestamps: epoch seconds (fractions allowed).</summary>
    private static DateTimeOffset? Time(JsonElement root, string member)
    {
        if (!root.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds))
        {
            throw new CloudTrailException("SerializationException", $"`{member}` must be a timestamp (epoch seconds).");
        }

        return seconds is >= 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : throw new CloudTrailException("InvalidTimeRangeException", $"`{member}` is outside the range of possible times.");
    }
}
