using System.Buffers;
using System.Text.Json;

namespace Keyhaven.Server.Audit;

/// <summary>Writes the allow-listed members of a request or response as a JSON object, names in lower camel case as CloudTrail writes them.</summary>
internal static class AuditFieldWriter
{
    /// <summary>
    /// The members of <paramref name="source"/> that <paramref name="allowed"/> lists (<c>A</c> or <c>A.B</c>); null
    /// when none is present. Only the listed names are converted to camel case: the values under them are copied as
    /// they are (map keys such as an encryption context's are user data). A top-level member of
    /// <paramref name="defaults"/> that the source lacks is written with its default (a string).
    /// </summary>
    public static JsonElement? Select<TNode>(TNode source, IReadOnlyList<string> allowed, IAuditNodeReader<TNode> reader,
        IReadOnlyList<KeyValuePair<string, string>>? defaults = null)
    {
        if (allowed.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var wrote = false;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            wrote = WriteObject(writer, source, allowed.Select(a => a.Split('.')).ToList(), reader, defaults ?? []);
        }

        if (!wrote)
        {
            return null;
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static bool WriteObject<TNode>(Utf8JsonWriter writer, TNode node, List<string[]> paths, IAuditNodeReader<TNode> reader,
        IReadOnlyList<KeyValuePair<string, string>> defaults)
    {
        var started = false;
        foreach (var group in paths.GroupBy(p => p[0], StringComparer.Ordinal))
        {
            if (!reader.TryGetMember(node, group.Key, out var member))
            {
                continue;
            }

            if (!started)
            {
                writer.WriteStartObject();
                started = true;
            }

            writer.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(group.Key));
            var inner = group.Where(p => p.Length > 1).Select(p => p[1..]).ToList();
            if (group.Any(p => p.Length == 1) || !WriteObject(writer, member, inner, reader, []))
            {
                if (group.Any(p => p.Length == 1))
                {
                    reader.WriteValue(writer, member);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }
        }

        foreach (var (name, value) in defaults)
        {
            if (!reader.TryGetMember(node, name, out _))
            {
                if (!started)
                {
                    writer.WriteStartObject();
                    started = true;
                }

                writer.WriteString(JsonNamingPolicy.CamelCase.ConvertName(name), value);
            }
        }

        if (started)
        {
            writer.WriteEndObject();
        }

        return started;
    }
}

/// <summary>Reads one protocol's tree (JSON elements, Query parameters, XML elements) for <see cref="AuditFieldWriter"/>.</summary>
internal interface IAuditNodeReader<TNode>
{
    bool TryGetMember(TNode node, string name, out TNode member);

    void WriteValue(Utf8JsonWriter writer, TNode node);
}
