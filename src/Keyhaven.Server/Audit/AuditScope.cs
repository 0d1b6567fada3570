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

    /// <summary>
    /// Who made an unsigned request, when the service authenticated it by other means (AssumeRoleWithWebIdentity: the
    /// verified token's provider and subject); null otherwise.
    /// </summary>
    public AuditUserIdentity? UnsignedCaller { get; private set; }

    /// <summary>Records the web identity that made an AssumeRoleWithWebIdentity request, as CloudTrail's <c>WebIdentityUser</c>.</summary>
    public void RecordWebIdentityUser(string providerArn, string audience, string subject) => UnsignedCaller = new AuditUserIdentity
    {
        Type = "WebIdentityUser", PrincipalId = $"{providerArn}:{audience}:{subject}", UserName = subject, IdentityProvider = providerArn,
    };

    /// <summary><c>{"authorization":{…}}</c> for a denied request; null otherwise.</summary>
    public JsonElement? Denial { get; private set; }

    /// <summary><c>{"recipient":{…}}</c> when the response was sealed to an attested enclave: which measurements received it.</summary>
    public JsonElement? Recipient { get; private set; }

    /// <summary>Records the attested enclave a response went to: its module id, image digest (PCR0) and PCRs, and whether it was a development enclave.</summary>
    public void RecordRecipient(Keyhaven.Attestation.Nitro.AttestationDocument document, bool development)
    {
        Recipient = AuditJson.Object(writer =>
        {
            writer.WriteStartObject("recipient");
            writer.WriteString("attestationDocumentModuleId", document.ModuleId);
            writer.WriteBoolean("development", development);
            if (document.ImageSha384 is { } image)
            {
                writer.WriteString("attestationDocumentEnclaveImageDigest", Convert.ToHexStringLower(image));
            }

            foreach (var (index, value) in document.Pcrs.OrderBy(p => p.Key))
            {
                writer.WriteString((document.IsNitroTpm ? "attestationDocumentNitroTPMPCR" : "attestationDocumentEnclavePCR") + index, Convert.ToHexStringLower(value));
            }

            writer.WriteEndObject();
        });
    }

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
        var decision = explanation.Decision;
        Denial = AuditJson.Object(writer =>
        {
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
        });
    }
}
