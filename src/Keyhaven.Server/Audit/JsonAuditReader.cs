using System.Text.Json;

namespace Keyhaven.Server.Audit;

/// <summary>Reads AWS JSON 1.1 bodies for the audit trail: members of a JSON object, copied verbatim.</summary>
internal sealed class JsonAuditReader : IAuditNodeReader<JsonElement>
{
    public static readonly JsonAuditReader Instance = new();

    /// <summary>The allow-listed members of a JSON body; null when it is empty, not a JSON object, or has none of them.</summary>
    public static JsonElement? Select(ReadOnlyMemory<byte> body, IReadOnlyList<string> allowed, IReadOnlyList<KeyValuePair<string, string>>? defaults = null)
    {
        if (body.IsEmpty || allowed.Count == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? AuditFieldWriter.Select(document.RootElement, allowed, Instance, defaults) : null;
        }
        catch (JsonException)
        {
            return null; // a malformed request is recorded with its error, without parameters
        }
    }

    /// <summary>The <c>message</c> of a JSON error body (<c>Message</c> in AWS Organizations' errors), if it has one.</summary>
    public static string? ErrorMessage(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("message", out var message) || root.TryGetProperty("Message", out message))
                && message.ValueKind == JsonValueKind.String ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public bool TryGetMember(JsonElement node, string name, out JsonElement member)
    {
        member = default;
        return node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out member);
    }

    public void WriteValue(Utf8JsonWriter writer, JsonElement node) => node.WriteTo(writer);
}
