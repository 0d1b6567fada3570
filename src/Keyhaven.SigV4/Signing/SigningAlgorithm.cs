using System.Security.Cryptography;
using System.Text;
using Keyhaven.SigV4.Canonicalization;

namespace Keyhaven.SigV4.Signing;

/// <summary>
/// The SigV4 string to sign, signing-key derivation and final HMAC, shared by signer and verifier.
/// spec: AWS SigV4 "Create a string to sign", "Calculate the signature".
/// </summary>
internal static class SigningAlgorithm
{
    /// <summary>The only algorithm identifier SigV4 (non-asymmetric) uses.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Terminator of every credential scope.</summary>
    public const string Terminator = "aws4_request";

    /// <summary>Size of a signing key and of a signature, in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Length of the ISO 8601 basic timestamp <c>yyyyMMddTHHmmssZ</c>.</summary>
    public const int AmzDateLength = 16;

    /// <summary>Length of the scope date <c>yyyyMMdd</c>.</summary>
    public const int ScopeDateLength = 8;

    /// <summary>
    /// kSecret = "AWS4" + secret; kDate = HMAC(kSecret, date); kRegion = HMAC(kDate, region);
    /// kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request").
    /// spec: AWS SigV4 "Derive a signing key".
    /// </summary>
    public static void DeriveSigningKey(
        ReadOnlySpan<char> secretAccessKey,
        ReadOnlySpan<char> scopeDate,
        ReadOnlySpan<char> region,
        ReadOnlySpan<char> service,
        Span<byte> signingKey)
    {
        int secretMax = 4 + Encoding.UTF8.GetMaxByteCount(secretAccessKey.Length);
        byte[]? rented = null;
        Span<byte> secret = secretMax <= 256 ? stackalloc byte[256] : (rented = new byte[secretMax]);
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> data = stackalloc byte[256];
        try
        {
            "AWS4"u8.CopyTo(secret);
            int secretLength = 4 + Encoding.UTF8.GetBytes(secretAccessKey, secret[4..]);
            HMACSHA256.HashData(secret[..secretLength], Ascii(scopeDate, data), key);
            HMACSHA256.HashData(key, Ascii(region, data), key);
            HMACSHA256.HashData(key, Ascii(service, data), key);
            HMACSHA256.HashData(key, "aws4_request"u8, signingKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Writes the string to sign: algorithm, timestamp, credential scope and hex SHA-256 of the canonical request,
    /// separated by '\n'.
    /// </summary>
    public static void WriteStringToSign(
        ref ByteWriter writer,
        ReadOnlySpan<char> amzDate,
        ReadOnlySpan<char> region,
        ReadOnlySpan<char> service,
        ReadOnlySpan<byte> canonicalRequest)
    {
        writer.Write("AWS4-HMAC-SHA256\n"u8);
        writer.WriteUtf8(amzDate);
        writer.Write((byte)'\n');
        WriteScope(ref writer, amzDate[..ScopeDateLength], region, service);
        writer.Write((byte)'\n');
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonicalRequest, digest);
        Hex.WriteLower(digest, writer.GetSpan(2 * SHA256.HashSizeInBytes));
        writer.Advance(2 * SHA256.HashSizeInBytes);
    }

    /// <summary>Writes <c>date/region/service/aws4_request</c>.</summary>
    public static void WriteScope(ref ByteWriter writer, ReadOnlySpan<char> scopeDate, ReadOnlySpan<char> region, ReadOnlySpan<char> service)
    {
        writer.WriteUtf8(scopeDate);
        writer.Write((byte)'/');
        writer.WriteUtf8(region);
        writer.Write((byte)'/');
        writer.WriteUtf8(service);
        writer.Write("/aws4_request"u8);
    }

    /// <summary>signature = HMAC-SHA256(signingKey, stringToSign).</summary>
    public static void ComputeSignature(ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> stringToSign, Span<byte> signature) =>
        HMACSHA256.HashData(signingKey, stringToSign, signature);

    /// <summary>Formats a UTC instant as <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static ReadOnlySpan<byte> Ascii(ReadOnlySpan<char> text, Span<byte> buffer)
    {
        // Scope components are validated ASCII by both callers; UTF-8 keeps this total for any input.
        if (Encoding.UTF8.GetMaxByteCount(text.Length) > buffer.Length)
        {
            return Encoding.UTF8.GetBytes(text.ToString());
        }

        return buffer[..Encoding.UTF8.GetBytes(text, buffer)];
    }
}
