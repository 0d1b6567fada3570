using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Keyhaven.SigV4;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// Sends hand-made KMS requests (signed with real SigV4, or deliberately not) for the protocol cases an SDK would
/// never produce: malformed JSON, wrong types, unknown targets, bad signatures.
/// </summary>
public sealed class RawKmsClient(TestServer server) : IDisposable
{
    private readonly HttpClient _http = new();

    public sealed record Response(int Status, string? ErrorType, string? Message, JsonElement Body, HttpResponseMessage Http);

    public Task<Response> SendAsync(string target, string body, string? accessKeyId = null, string? secret = null, bool sign = true,
        Action<HttpRequestMessage>? tamper = null, string service = "kms", string? sessionToken = null, Uri? endpoint = null) =>
        SendAsync(target, Encoding.UTF8.GetBytes(body), accessKeyId, secret, sign, tamper, service, sessionToken, endpoint);

    public async Task<Response> SendAsync(string target, byte[] body, string? accessKeyId = null, string? secret = null, bool sign = true,
        Action<HttpRequestMessage>? tamper = null, string service = "kms", string? sessionToken = null, Uri? endpoint = null)
    {
        var uri = endpoint ?? server.Server.Endpoint;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (sign)
        {
            var signer = new SigV4Signer(new SigV4Credentials(accessKeyId ?? server.AccessKeyId, secret ?? server.SecretAccessKey, sessionToken), server.Region, service, server.Clock);
            var headers = new List<HttpHeader>
            {
                new("Content-Type", "application/x-amz-json-1.1"),
                new("X-Amz-Target", target),
            };
            var signed = signer.Sign(SigV4SigningRequest.Create("POST", uri, headers, body));
            foreach (var header in signed.HeadersToAdd)
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        tamper?.Invoke(request);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        string? type = null, message = null;
        if (json.ValueKind == JsonValueKind.Object)
        {
            type = json.TryGetProperty("__type", out var t) ? t.GetString() : null;
            message = json.TryGetProperty("message", out var m) ? m.GetString() : null;
        }

        return new Response((int)response.StatusCode, type, message, json, response);
    }

    public void Dispose() => _http.Dispose();
}
