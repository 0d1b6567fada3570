using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Policy.Arns;

namespace Keyhaven.Server.Federation;

/// <summary>
/// Verifies the web identity token of AssumeRoleWithWebIdentity as AWS STS does: a compact JWS (RS256 or ES256) whose
/// <c>iss</c> names an IAM OIDC provider of the role's account, signed by a key of that issuer's JWKS, for an audience in
/// the provider's client ids, and within its <c>nbf</c>..<c>exp</c> window (with <see cref="ClockSkew"/>). Thread-safe.
/// </summary>
internal sealed class WebIdentityTokenVerifier(IdentityStore identity, OidcKeySource keys, TimeProvider time)
{
    /// <summary>AWS's limit on WebIdentityToken (characters).</summary>
    public const int MaxTokenLength = 20_000;

    /// <summary>Tolerated difference between the issuer's clock and this server's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private const string TagsClaim = "https://aws.amazon.com/tags";
    private const string SourceIdentityClaim = "https://aws.amazon.com/source_identity";

    /// <exception cref="IdentityException"><c>InvalidIdentityToken</c>, <c>ExpiredTokenException</c>, <c>IDPCommunicationError</c>.</exception>
    public async Task<WebIdentityToken> VerifyAsync(string token, AccountId roleAccount, CancellationToken cancellationToken)
    {
        // spec: RFC 7515 §7.1 (compact serialization), RFC 7519 §4.1 (registered claims)
        if (token.Length is 0 or > MaxTokenLength || token.Split('.') is not [var headerPart, var payloadPart, var signaturePart])
        {
            throw Invalid("The web identity token is not a compact JWT (header.payload.signature).");
        }

        using var header = ParsePart(headerPart, "header");
        using var payload = ParsePart(payloadPart, "payload");
        var algorithm = String(header.RootElement, "alg");
        if (algorithm is not ("RS256" or "ES256"))
        {
            throw Invalid($"The web identity token's algorithm `{algorithm}` is not accepted; use RS256 or ES256.");
        }

        var claims = payload.RootElement;
        var issuer = String(claims, "iss") ?? throw Invalid("The web identity token has no `iss` claim.");
        string hostPath;
        try
        {
            hostPath = IdentityStore.ProviderHostPath(issuer);
        }
        catch (IdentityException)
        {
            throw Invalid($"The web identity token's issuer `{issuer}` is not an https URL.");
        }

        var provider = await identity.FindOpenIdConnectProviderAsync(roleAccount, hostPath, cancellationToken)
            ?? throw Invalid($"No OpenID Connect provider found in your account for {issuer}");

        var key = await keys.FindAsync(provider, String(header.RootElement, "kid"), cancellationToken)
            ?? throw Invalid("The web identity token is signed by a key the issuer does not publish.");
        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(signaturePart);
        }
        catch (FormatException)
        {
            throw Invalid("The web identity token's signature is not base64url.");
        }

        var signed = Encoding.ASCII.GetBytes(headerPart + "." + payloadPart);
        if (!key.Verify(algorithm, signed, signature))
        {
            throw Invalid("The web identity token's signature is not valid.");
        }

        var audience = Strings(claims, "aud").FirstOrDefault(a => provider.ClientIds.Contains(a, StringComparer.Ordinal))
            ?? throw Invalid("Incorrect token audience: it is not one of the provider's client ids.");
        var now = time.GetUtcNow();
        var expires = Time(claims, "exp") ?? throw Invalid("The web identity token has no `exp` claim.");
        if (now > expires + ClockSkew)
        {
            throw new IdentityException(IdentityErrorCode.ExpiredTokenException, "Token expired: current date/time is past the token's `exp`.");
        }

        if (Time(claims, "nbf") is { } notBefore && now + ClockSkew < notBefore)
        {
            throw Invalid("The web identity token is not valid yet (`nbf` is in the future).");
        }

        var subject = String(claims, "sub") is { Length: > 0 and <= 255 } sub ? sub : throw Invalid("The web identity token has no `sub` claim (1 to 255 characters).");
        var (tags, transitive) = SessionTags(claims);
        return new WebIdentityToken(provider, subject, audience, Strings(claims, "amr"), Strings(claims, "groups"), tags, transitive,
            String(claims, SourceIdentityClaim));
    }

    /// <summary>The session tags of the <c>https://aws.amazon.com/tags</c> claim: <c>principal_tags</c> (each value a one-element array) and <c>transitive_tag_keys</c>.</summary>
    private static (List<KeyValuePair<string, string>> Tags, List<string> Transitive) SessionTags(JsonElement claims)
    {
        var tags = new List<KeyValuePair<string, string>>();
        var transitive = new List<string>();
        if (!claims.TryGetProperty(TagsClaim, out var claim))
        {
            return (tags, transitive);
        }

        if (claim.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"The `{TagsClaim}` claim must be an object.");
        }

        if (claim.TryGetProperty("principal_tags", out var principalTags))
        {
            if (principalTags.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("`principal_tags` must be an object of tag keys to one-element arrays.");
            }

            foreach (var tag in principalTags.EnumerateObject())
            {
                var value = tag.Value.ValueKind switch
                {
                    JsonValueKind.Array when tag.Value.GetArrayLength() == 1 && tag.Value[0].ValueKind == JsonValueKind.String => tag.Value[0].GetString()!,
                    JsonValueKind.String => tag.Value.GetString()!,
                    _ => throw Invalid($"Session tag `{tag.Name}` in `principal_tags` must have one string value."),
                };
                tags.Add(KeyValuePair.Create(tag.Name, value));
            }
        }

        transitive.AddRange(Strings(claim, "transitive_tag_keys"));
        return (tags, transitive);
    }

    private static JsonDocument ParsePart(string part, string name)
    {
        try
        {
            return JsonDocument.Parse(Base64Url.DecodeFromChars(part));
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw Invalid($"The web identity token's {name} is not base64url JSON.");
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A claim that is a string or an array of strings.</summary>
    private static List<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => throw Invalid($"The `{name}` claim must be a string or an array of strings."),
        };
    }

    private static DateTimeOffset? Time(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : throw Invalid($"The `{name}` claim must be a number of seconds since 1970.");
    }

    private static IdentityException Invalid(string message) => new(IdentityErrorCode.InvalidIdentityToken, message);
}
