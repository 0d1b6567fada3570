using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Tests.Federation;

/// <summary>
/// A test-only OpenID Connect issuer: real HTTPS (Kestrel on 127.0.0.1 with a self-signed certificate generated for the
/// run) serving discovery and a JWKS, and signing JWTs with RS256 or ES256 keys that can be rotated. Never part of the
/// server: the server reaches it over the network exactly as it would reach a corporate identity provider.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Kid, AsymmetricAlgorithm Key)> _keys = [];
    private readonly object _lock = new();
    private int _next;

    private TestOidcIssuer(WebApplication app, X509Certificate2 certificate, Uri issuer)
    {
        _app = app;
        Certificate = certificate;
        Issuer = issuer;
    }

    /// <summary>The issuer URL (<c>https://127.0.0.1:PORT</c>), as tokens carry it in <c>iss</c>.</summary>
    public Uri Issuer { get; }

    /// <summary>The host and port as IAM names the provider (ARN suffix and condition-key prefix).</summary>
    public string HostPath => $"{Issuer.Host}:{Issuer.Port}";

    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-1 thumbprint of the server certificate, as IAM's ThumbprintList wants it.</summary>
    public string Thumbprint => Certificate.GetCertHashString(HashAlgorithmName.SHA1).ToLowerInvariant();

    /// <summary>How many times the JWKS was fetched.</summary>
    public int JwksFetches { get; private set; }

    public static async Task<TestOidcIssuer> StartAsync(string algorithm = "RS256")
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        TestOidcIssuer? self = null; // set once the port is known; no request can arrive before
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = self!.Issuer.ToString().TrimEnd('/'),
            ["jwks_uri"] = self.Issuer + "jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        app.MapGet("/jwks", () =>
        {
            self!.JwksFetches++;
            return Results.Content(self.Jwks(), "application/json");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var issuer = new TestOidcIssuer(app, certificate, new Uri($"https://127.0.0.1:{port}"));
        issuer.AddKey(algorithm);
        self = issuer;
        return issuer;
    }

    /// <summary>Replaces the signing keys by a new one (the old one is no longer published); returns its kid.</summary>
    public string Rotate(string algorithm = "RS256")
    {
        lock (_lock)
        {
            _keys.Clear();
            return AddKey(algorithm);
        }
    }

    /// <summary>A signed token for <paramref name="subject"/> with the given extra claims; issued now, valid for <paramref name="lifetime"/> (default 10 minutes).</summary>
    public string Issue(string subject, string audience, DateTimeOffset now, object? extraClaims = null, TimeSpan? lifetime = null, string? issuer = null)
    {
        var claims = new JsonObject
        {
            ["iss"] = issuer ?? Issuer.ToString().TrimEnd('/'),
            ["sub"] = subject,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds(),
        };
        if (extraClaims is not null)
        {
            foreach (var (name, value) in JsonSerializer.SerializeToNode(extraClaims)!.AsObject())
            {
                claims[name] = value?.DeepClone();
            }
        }

        (string Kid, AsymmetricAlgorithm Key) signing;
        lock (_lock)
        {
            signing = _keys[^1];
        }

        var algorithm = signing.Key is RSA ? "RS256" : "ES256";
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = algorithm, typ = "JWT", kid = signing.Kid }));
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signed = Encoding.ASCII.GetBytes(header + "." + payload);
        var signature = signing.Key is RSA rsa
            ? rsa.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : ((ECDsa)signing.Key).SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var (_, key) in _keys)
        {
            key.Dispose();
        }

        Certificate.Dispose();
    }

    private string AddKey(string algorithm)
    {
        var kid = $"key-{++_next}";
        _keys.Add((kid, algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048)));
        return kid;
    }

    private string Jwks()
    {
        var keys = new JsonArray();
        lock (_lock)
        {
            foreach (var (kid, key) in _keys)
            {
                if (key is RSA rsa)
                {
                    var p = rsa.ExportParameters(false);
                    keys.Add(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid, ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) });
                }
                else
                {
                    var p = ((ECDsa)key).ExportParameters(false);
                    keys.Add(new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["crv"] = "P-256", ["kid"] = kid, ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) });
                }
            }
        }

        return new JsonObject { ["keys"] = keys }.ToJsonString();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=keyhaven-test-oidc-issuer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
