using System.Buffers;
using System.Text.Json;
using Keyhaven.Audit.Events;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Server.Audit;

/// <summary>
/// What the layers below the pipeline learn about a request that its audit event must say: the resources it acted
/// on (the key a ciphertext or alias resolved to, the IAM resource) and, for a denial, the authorization decision
/// with the layer and statements that decided. One per request; not thread-safe (a request runs one step at a time).
/// </summary>
internal sealed class AuditScope
{
    private List<AuditResource>? _resources;

    public IReadOnlyList<AuditResource>? Resources => _resources;

    /// <summary><c>{"authorization":{…}}</c> for a denied request; null otherwise.</summary>
    public JsonElement? Denial { get; private set; }

    public void AddResource(string arn, string accountId, string type)
    {
        _resources ??= [];
        if (!_resources.Any(r => r.Arn == arn))
        {
            _resources.Add(new AuditResource(arn, accountId, type));
        }
    }

    /// <summary>Records why <paramref name="request"/> was denied: the decision's outcome and layer, and the statements that applied.</summary>
    public void RecordDenial(AuthorizationRequest request, DecisionExplanation explanation)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var decision = explanation.Decision;
            writer.WriteStartObject();
            writer.WriteStartObject("authorization");
            writer.WriteString("decision", decision.Outcome.ToString());
            writer.WriteString("layer", decision.Layer.ToString());
            writer.WriteString("action", request.Action);
            writer.WriteString("resource", request.Resource.Arn);
            if (decision.Statement is { } statement)
            {
                writer.WriteString("statement", statement.ToString());
            }

            writer.WriteStartArray("statements");
            foreach (var evaluation in explanation.Statements.Where(s => s.Applies))
            {
                writer.WriteStartObject();
                writer.WriteString("layer", evaluation.Layer.ToString());
                writer.WriteString("statement", evaluation.Statement.ToString());
                writer.WriteString("effect", evaluation.Effect.ToString());
                writer.WriteString("outcome", evaluation.Outcome.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        Denial = document.RootElement.Clone();
    }
}
