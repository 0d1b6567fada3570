using System.Runtime.InteropServices;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Keyhaven.Server.Protocol;

namespace Keyhaven.Server.Audit;

/// <summary>
/// Reads AWS Query requests (form parameters: <c>Name</c>, lists <c>Name.member.N</c> or EC2's <c>Name.N</c>, structures
/// <c>Name.member.N.Field</c>, maps <c>Name.entry.N.key</c>) and their XML responses (IAM/STS and EC2 shapes) for the audit trail, as JSON values.
/// </summary>
internal static class QueryAuditReader
{
    // Query requests and XML responses carry every value as text; CloudTrail records these members as JSON numbers and
    // booleans ("durationSeconds": 3600), so they are written so when their text is one.
    private static readonly HashSet<string> IntegerMembers = new(StringComparer.Ordinal) { "DurationSeconds", "MaxSessionDuration", "MaxItems", "MaxResults", "PackedPolicySize" };
    private static readonly HashSet<string> BooleanMembers = new(StringComparer.Ordinal) { "SetAsDefault", "OnlyAttached", "IsDefaultVersion", "IsTruncated" };

    /// <summary>The allow-listed parameters of a Query request.</summary>
    public static JsonElement? SelectRequest(QueryRequest query, IReadOnlyList<string> allowed) =>
        AuditFieldWriter.Select(new ParameterNode(query.Parameters, ""), allowed, ParameterReader.Instance);

    /// <summary>The allow-listed elements of <c>{Action}Result</c> in a Query response; null for anything else.</summary>
    public static JsonElement? SelectResponse(ReadOnlyMemory<byte> body, string action, IReadOnlyList<string> allowed)
    {
        if (allowed.Count == 0 || body.IsEmpty)
        {
            return null;
        }

        // IAM and STS wrap the members in {Action}Result; EC2 puts them directly in {Action}Response.
        var root = Parse(body)?.Root;
        var result = root?.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result")
            ?? (root?.Name.LocalName == action + "Response" ? root : null);
        return result is null ? null : AuditFieldWriter.Select(result, allowed, ElementReader.Instance);
    }

    /// <summary>The Code and Message of a Query <c>ErrorResponse</c>.</summary>
    public static (string? Code, string? Message) Error(ReadOnlyMemory<byte> body)
    {
        // IAM and STS: ErrorResponse/Error; EC2: Response/Errors/Error.
        var root = Parse(body)?.Root;
        var error = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Error")
            ?? root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Errors")?.Elements().FirstOrDefault(e => e.Name.LocalName == "Error");
        return (error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value, error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value);
    }

    /// <summary>Parses the held body in place (it may carry a secret access key: no copy of it is left behind unzeroed).</summary>
    private static XDocument? Parse(ReadOnlyMemory<byte> body)
    {
        var copy = MemoryMarshal.TryGetArray(body, out var segment) ? null : body.ToArray();
        try
        {
            using var stream = copy is null ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false) : new MemoryStream(copy, writable: false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
        finally
        {
            if (copy is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(copy);
            }
        }
    }

    private readonly record struct ParameterNode(IReadOnlyDictionary<string, string> Parameters, string Prefix);

    private sealed class ParameterReader : IAuditNodeReader<ParameterNode>
    {
        public static readonly ParameterReader Instance = new();

        public bool TryGetMember(ParameterNode node, string name, out ParameterNode member)
        {
            var path = node.Prefix + name;
            member = new ParameterNode(node.Parameters, path);
            return node.Parameters.ContainsKey(path) || node.Parameters.Keys.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal));
        }

        public void WriteValue(Utf8JsonWriter writer, ParameterNode node)
        {
            if (node.Parameters.TryGetValue(node.Prefix, out var scalar))
            {
                WriteScalar(writer, node.Prefix[(node.Prefix.LastIndexOf('.') + 1)..], scalar);
                return;
            }

            var children = node.Parameters.Keys.Where(k => k.StartsWith(node.Prefix + ".", StringComparison.Ordinal))
                .Select(k => k[(node.Prefix.Length + 1)..].Split('.')[0]).Distinct(StringComparer.Ordinal).ToList();
            if (children.Count > 0 && children.All(c => c.Length > 0 && c.All(char.IsAsciiDigit)))
            {
                // EC2 lists: Name.1, Name.2, …
                writer.WriteStartArray();
                for (var i = 1; TryGetMember(node with { Prefix = node.Prefix + "." }, i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var item); i++)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                return;
            }

            if (children is ["member"] or ["entry"])
            {
                writer.WriteStartArray();
                for (var i = 1; TryGetMember(node with { Prefix = node.Prefix + "." }, $"{children[0]}.{i}", out var item); i++)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                return;
            }

            writer.WriteStartObject();
            foreach (var child in children)
            {
                writer.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(child));
                WriteValue(writer, node with { Prefix = node.Prefix + "." + child });
            }

            writer.WriteEndObject();
        }
    }

    private sealed class ElementReader : IAuditNodeReader<XElement>
    {
        public static readonly ElementReader Instance = new();

        public bool TryGetMember(XElement node, string name, out XElement member)
        {
            member = node.Elements().FirstOrDefault(e => e.Name.LocalName == name)!;
            return member is not null;
        }

        public void WriteValue(Utf8JsonWriter writer, XElement node)
        {
            var children = node.Elements().ToList();
            if (children.Count == 0)
            {
                WriteScalar(writer, node.Name.LocalName, node.Value);
            }
            else if (children.All(c => c.Name.LocalName == "member") || children.All(c => c.Name.LocalName == "item"))
            {
                writer.WriteStartArray();
                children.ForEach(c => WriteValue(writer, c));
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStartObject();
                foreach (var child in children)
                {
                    writer.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(child.Name.LocalName));
                    WriteValue(writer, child);
                }

                writer.WriteEndObject();
            }
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, string member, string text)
    {
        if (IntegerMembers.Contains(member) && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else if (BooleanMembers.Contains(member) && bool.TryParse(text, out var flag))
        {
            writer.WriteBooleanValue(flag);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }
}
