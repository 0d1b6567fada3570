using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Federation;

namespace Keyhaven.Server.Federation;

/// <summary>
/// The signing keys of OIDC issuers: discovery (<c>ISSUER/.well-known/openid-configuration</c> → <c>jwks_uri</c>), then
/// the JWKS, both over HTTPS whose server certificate must chain to the system trust store or have a certificate in
/// its chain whose SHA-1 thumbprint is in the provider's thumbprint list. Keys are cached per issuer; an unknown
/// <c>kid</c> refetches (at most once per <see cref="RefetchInterval"/>) so that rotated keys work. Thread-safe.
/// </summary>
internal sealed class OidcKeySource(TimeProvider time)
{
    /// <summary>The shortest time between two fetches of one issuer's keys (an unknown kid cannot make the server hammer the issuer).</summary>
    public static readonly TimeSpan RefetchInterval = TimeSpan.FromSeconds(10);

    private const int MaxDocumentBytes = 64 * 1024;
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, KeySet> _sets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>One issuer's keys by kid, and when they were fetched.</summary>
    private sealed record KeySet(IReadOnlyDictionary<string, JsonWebKey> Keys, DateTimeOffset FetchedAt);

    /// <summary>The key named <paramref name="kid"/> (or the only key when the token names none), or null when the issuer has no such key.</summary>
    /// <exception cref="IdentityException"><c>IDPCommunicationError</c> when the issuer cannot be reached or answers nonsense.</exception>
    public async Task<JsonWebKey?> FindAsync(OidcProvider provider, string? kid, CancellationToken cancellationToken)
    {
        if (_sets.TryGetValue(provider.Issuer, out var cached) && Pick(cached, kid) is { } known)
        {
            return known;
        }

        var gate = _gates.GetOrAdd(provider.Issuer, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_sets.TryGetValue(provider.Issuer, out cached))
            {
                if (Pick(cached, kid) is { } fetchedMeanwhile)
                {
                    return fetchedMeanwhile;
                }

                if (time.GetUtcNow() - cached.FetchedAt < RefetchInterval)
                {
                    return null; // rate-limited: the set is fresh and does not have the key
                }
            }

            var fresh = new KeySet(await FetchAsync(provider, cancellationToken), time.GetUtcNow());
            _sets[provider.Issuer] = fresh;
            return Pick(fresh, kid);
        }
        finally
        {
            gate.Release();
        }
    }

    private static JsonWebKey? Pick(KeySet set, string? kid) =>
        kid is null ? (set.Keys.Count == 1 ? set.Keys.Values.First() : null) : set.Keys.GetValueOrDefault(kid);

    private static async Task<IReadOnlyDictionary<string, JsonWebKey>> FetchAsync(OidcProvider provider, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(provider, certificate, chain, errors) },
        };
        using var http = new HttpClient(handler) { Timeout = FetchTimeout };
        try
        {
            using var discovery = await GetJsonAsync(http, new Uri(provider.Issuer.TrimEnd('/') + "/.well-known/openid-configuration"), cancellationToken);
            if (!discovery.RootElement.TryGetProperty("jwks_uri", out var jwksUri) || jwksUri.ValueKind != JsonValueKind.String
                || !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out var jwks) || jwks.Scheme != Uri.UriSchemeHttps)
            {
                throw Communication(provider, "its discovery document has no https `jwks_uri`");
            }

            using var keys = await GetJsonAsync(http, jwks, cancellationToken);
            if (!keys.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw Communication(provider, "its JWKS has no `keys` array");
            }

            var result = new Dictionary<string, JsonWebKey>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (JsonWebKey.TryParse(element) is { } key)
                {
                    result.TryAdd(key.Kid ?? $"#{index}", key);
                }

                index++;
            }

            return result;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw Communication(provider, exception.Message);
        }
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{uri} answered {(int)response.StatusCode}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new HttpRequestException($"{uri} answered more than {MaxDocumentBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return JsonDocument.Parse(buffer.ToArray());
    }

    /// <summary>
    /// The issuer's certificate is trusted when it chains to the system trust store for the right host name, or when
    /// any certificate of its chain has a SHA-1 thumbprint the provider lists (the host name must match either way).
    /// </summary>
    private static bool IsTrusted(OidcProvider provider, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None || certificate is null)
        {
            return false; // no certificate, or one for another host
        }

        var thumbprints = new List<string> { certificate.GetCertHashString(HashAlgorithmName.SHA1) };
        if (chain is not null)
        {
            thumbprints.AddRange(chain.ChainElements.Select(e => e.Certificate.GetCertHashString(HashAlgorithmName.SHA1)));
        }

        return thumbprints.Any(t => provider.Thumbprints.Contains(t, StringComparer.OrdinalIgnoreCase));
    }

    private static IdentityException Communication(OidcProvider provider, string detail) =>
        new(IdentityErrorCode.IDPCommunicationError, $"The keys of OpenID Connect provider `{provider.Issuer}` could not be fetched: {detail}.");
}
