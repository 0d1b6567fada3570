using System.Text;
using System.Text.Json;

namespace Keyhaven.Policy.Documents;

/// <summary>
/// Prints a <see cref="PolicyDocument"/> as canonical JSON: elements in grammar order, every list as an array.
/// <c>PolicyParser.Parse(PolicyWriter.Write(d)).Document == d</c> for every parsed document.
/// </summary>
public static class PolicyWriter
{
    /// <summary>Writes <paramref name="document"/> as JSON.</summary>
    /// <param name="document">The document to print.</param>
    /// <param name="indented">Pretty-print with two-space indentation.</param>
    public static string Write(PolicyDocument document, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            if (document.Version != PolicyVersion.Unspecified)
            {
                w.WriteString("Version", document.Version == PolicyVersion.V2012_10_17 ? "2012-10-17" : "2008-10-17");
            }

            if (document.Id is not null)
            {
                w.WriteString("Id", document.Id);
            }

            w.WriteStartArray("Statement");
            foreach (var s in document.Statements)
            {
                WriteStatement(w, s);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStatement(Utf8JsonWriter w, PolicyStatement s)
    {
        w.WriteStartObject();
        if (s.Sid is not null)
        {
            w.WriteString("Sid", s.Sid);
        }

        w.WriteString("Effect", s.Effect == PolicyEffect.Allow ? "Allow" : "Deny");
        WritePrincipal(w, "Principal", s.Principal);
        WritePrincipal(w, "NotPrincipal", s.NotPrincipal);
        WriteList(w, "Action", s.Action);
        WriteList(w, "NotAction", s.NotAction);
        WriteList(w, "Resource", s.Resource);
        WriteList(w, "NotResource", s.NotResource);
        if (s.Conditions.Count > 0)
        {
            w.WriteStartObject("Condition");
            foreach (var group in s.Conditions.GroupBy(c => c.Operator, StringComparer.Ordinal))
            {
                w.WriteStartObject(group.Key);
                foreach (var c in group)
                {
                    WriteList(w, c.Key, c.Values);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WritePrincipal(Utf8JsonWriter w, string name, PrincipalSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        if (spec.IsWildcard)
        {
            w.WriteString(name, "*");
            return;
        }

        w.WriteStartObject(name);
        foreach (var group in spec.Entries.GroupBy(e => e.Kind))
        {
            w.WriteStartArray(group.Key switch
            {
                PrincipalKind.Aws => "AWS",
                PrincipalKind.Service => "Service",
                PrincipalKind.Federated => "Federated",
                _ => "CanonicalUser",
            });
            foreach (var e in group)
            {
                w.WriteStringValue(e.Value);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, ValueList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values.Value)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
