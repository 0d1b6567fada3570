using System.Buffers;
using System.Text.Json;

namespace Keyhaven.Server.Audit;

/// <summary>Builds the small JSON objects an audit event carries (parameters, response elements, additional data) that have no type of their own.</summary>
internal static class AuditJson
{
    /// <summary>A JSON object whose members <paramref name="members"/> writes (between the braces it opens and closes).</summary>
    public static JsonElement Object(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
