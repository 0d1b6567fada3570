using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyhaven.Identity.Policies;

/// <summary>
/// The session policies of a role session as one document: AWS treats the inline session policy and the managed
/// session policies together as one layer that must allow (any of them) and may deny (any of them), which is exactly
/// one policy holding all of their statements.
/// </summary>
internal static class SessionPolicies
{
    private static readonly JsonSerializerOptions UnescapedOutput = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One document with the statements of every document in <paramref name="documents"/> (each already validated). The
    /// combined version is 2012-10-17 when any part declares it, so policy variables keep working where they did.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">A document is not JSON (cannot happen for validated input).</exception>
    public static string Combine(IReadOnlyList<string> documents)
    {
        if (documents.Count == 1)
        {
            return documents[0];
        }

        var statements = new JsonArray();
        var version = "2008-10-17";
        foreach (var document in documents)
        {
            var root = JsonNode.Parse(document)!.AsObject();
            if (root.TryGetPropertyValue("Version", out var v) && v?.GetValue<string>() == "2012-10-17")
            {
                version = "2012-10-17";
            }

            switch (root["Statement"])
            {
                case JsonArray many:
                    foreach (var statement in many)
                    {
                        statements.Add(statement?.DeepClone());
                    }

                    break;
                case JsonObject one:
                    statements.Add(one.DeepClone());
                    break;
            }
        }

        // Characters are written as they are (only quotes, backslashes and control characters escaped), so the result is
        // never longer than its parts together: PolicyLimits.Stored always holds it. The text is read only by the policy
        // engine, never embedded in HTML.
        return new JsonObject { ["Version"] = version, ["Statement"] = statements }.ToJsonString(UnescapedOutput);
    }
}
