using System.Net;
using System.Text;
using Keyhaven.SigV4;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// Sends AWS JSON 1.1 KMS requests, each signed with SigV4 at send time (fresh X-Amz-Date, as SDK clients do).
/// The same client settings serve the keyhaven server and the baseline, so both see identical traffic. Given several
/// endpoints (nodes of one deployment), requests go to them in turn, as a round-robin load balancer would send them.
/// Thread-safe: one instance is shared by all workers.
/// </summary>
internal sealed class KmsRequestSender : IDisposable
{
    public const string ContentType = "application/x-amz-json-1.1";
    private const int MaxErrorBodyChars = 500;

    private readonly HttpClient _client;
    private readonly SigV4Signer _signer;
    private readonly Uri[] _endpoints;
    private int _next;

    public KmsRequestSender(Uri endpoint, SigV4Credentials credentials, string region, int maxConnections)
        : this([endpoint], credentials, region, maxConnections)
    {
    }

    public KmsRequestSender(IReadOnlyList<Uri> endpoints, SigV4Credentials credentials, string region, int maxConnections)
    {
        _endpoints = [.. endpoints];
        _signer = new SigV4Signer(credentials, region, "kms", TimeProvider.System);
        _client = CreateHttpClient(maxConnections);
    }

    /// <summary>
    /// The one HttpClient configuration used for every target: SocketsHttpHandler, one connection per worker,
    /// HTTP/1.1 only, no proxy, no cookies, no decompression.
    /// </summary>
    public static HttpClient CreateHttpClient(int maxConnections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Signs and sends one request; the response body is read fully.</summary>
    /// <returns>The status code and, for a non-2xx answer, the start of its body.</returns>
    public async Task<(HttpStatusCode Status, string? ErrorBody, byte[]? Body)> SendAsync(string operation, byte[] body, bool keepBody, CancellationToken cancellationToken)
    {
        using var request = CreateSignedRequest(operation, body);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            string text = Encoding.UTF8.GetString(content);
            return (response.StatusCode, text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] + "..." : text, null);
        }

        return (response.StatusCode, null, keepBody ? content : null);
    }

    private HttpRequestMessage CreateSignedRequest(string operation, byte[] body)
    {
        string target = "TrentService." + operation;
        var endpoint = _endpoints.Length == 1 ? _endpoints[0] : _endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length)];
        var signing = SigV4SigningRequest.Create(
            "POST",
            endpoint,
            [new HttpHeader("Content-Type", ContentType), new HttpHeader("X-Amz-Target", target)],
            body);
        var signed = _signer.Sign(signing);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        // TryAddWithoutValidation keeps the wire values byte-for-byte what was signed.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var header in signed.HeadersToAdd)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        return request;
    }

    public void Dispose() => _client.Dispose();
}
