using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Keyhaven.Server.Federation;

/// <summary>
/// A public signing key from an issuer's JWKS (RFC 7517): RSA (<c>n</c>, <c>e</c>) or EC P-256 (<c>x</c>, <c>y</c>).
/// Keys for other uses (<c>use</c> other than <c>sig</c>) or of other types are skipped. Immutable.
/// </summary>
internal sealed record JsonWebKey(string? Kid, RSAParameters? Rsa, ECParameters? EllipticCurve)
{
    /// <summary>The key, or null when it is not a signing key of a supported type.</summary>
    public static JsonWebKey? TryParse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || (String(element, "use") is { } use && use != "sig"))
        {
            return null;
        }

        var kid = String(element, "kid");
        try
        {
            switch (String(element, "kty"))
            {
                case "RSA" when Bytes(element, "n") is { Length: >= 256 } n && Bytes(element, "e") is { Length: > 0 } e:
                    return new JsonWebKey(kid, new RSAParameters { Modulus = n, Exponent = e }, null);
                case "EC" when String(element, "crv") == "P-256" && Bytes(element, "x") is { Length: 32 } x && Bytes(element, "y") is { Length: 32 } y:
                    return new JsonWebKey(kid, null, new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
                default:
                    return null;
            }
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Verifies a JWS signature (RFC 7518 §3.3 RS256, §3.4 ES256: R||S) over <paramref name="signed"/>.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
    {
        try
        {
            if (algorithm == "RS256" && Rsa is { } rsaParameters)
            {
                using var rsa = RSA.Create(rsaParameters);
                return rsa.KeySize >= 2048 && rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }

            if (algorithm == "ES256" && EllipticCurve is { } ecParameters)
            {
                using var ecdsa = ECDsa.Create(ecParameters);
                return signature.Length == 64 && ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        return false;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement element, string name) => String(element, name) is { } text ? Base64Url.DecodeFromChars(text) : null;
}
