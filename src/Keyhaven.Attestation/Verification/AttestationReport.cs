using System.Text;
using System.Text.Json;

namespace Keyhaven.Attestation.Verification;

/// <summary>
/// An <see cref="AttestationResult"/> as the JSON report users read to write key policies and debug denials:
/// <c>valid</c>, <c>reason</c> (when invalid), <c>failure</c>, <c>debug</c>, <c>module_id</c>, <c>timestamp</c>,
/// <c>pcrs</c> (index → lowercase hex), <c>public_key</c> (base64 SubjectPublicKeyInfo), <c>user_data</c> and
/// <c>nonce</c> (base64) and <c>chain</c> (subjects, leaf first).
/// </summary>
public static class AttestationReport
{
    public static string ToJson(AttestationResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", result.IsValid);
            json.WriteBoolean("development", result.IsDevelopment);
            if (!result.IsValid)
            {
                json.WriteString("reason", result.Reason);
                json.WriteString("failure", result.Failure.ToString());
            }

            if (result.Document is { } document)
            {
                json.WriteBoolean("debug", document.IsDebug);
                json.WriteString("module_id", document.ModuleId);
                json.WriteString("timestamp", document.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("kind", document.IsNitroTpm ? "nitrotpm" : "nitro-enclave");
                json.WriteStartObject("pcrs");
                foreach (var (index, value) in document.Pcrs.OrderBy(p => p.Key))
                {
                    json.WriteString(index.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexStringLower(value));
                }

                json.WriteEndObject();
                WriteOptional(json, "public_key", document.PublicKey);
                WriteOptional(json, "user_data", document.UserData);
                WriteOptional(json, "nonce", document.Nonce);
                json.WriteStartArray("chain");
                foreach (var subject in result.ChainSubjects)
                {
                    json.WriteStringValue(subject);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, byte[]? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, Convert.ToBase64String(value));
        }
    }
}
