using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;

namespace Keyhaven.Kms.Grants;

/// <summary>
/// A grant token: an opaque string (to clients) that names its grant and proves it came from this server.
/// Layout before base64url (no padding):
/// <c>0x01 | key ARN length (u16, big-endian) | key ARN (UTF-8) | grant id (32) | nonce (16) | HMAC-SHA256 (32)</c>,
/// the MAC taken over everything before it with the grant's own <see cref="Grant.TokenKey"/>. A fresh nonce makes
/// every token unique while all tokens of one grant stay interchangeable (AWS KMS's documented behaviour); changing
/// any byte (another key, another grant id) breaks the MAC, which is compared in constant time.
/// </summary>
public readonly struct GrantToken
{
    /// <summary>The model's GrantTokenType: 1–8192 characters.</summary>
    public const int MaxLength = 8192;

    private const byte FormatVersion = 1;
    private const int NonceLength = 16;
    private const int MacLength = 32;
    private const int MaxArnBytes = 2048;

    private readonly byte[] _bytes;

    private GrantToken(byte[] bytes, string keyArn, GrantId grantId)
    {
        _bytes = bytes;
        KeyArn = keyArn;
        GrantId = grantId;
    }

    /// <summary>The ARN of the key the token's grant is on (as the token claims it; trust it only after <see cref="IsAuthenticFor"/>).</summary>
    public string KeyArn { get; }

    /// <summary>The grant the token names (as the token claims it).</summary>
    public GrantId GrantId { get; }

    /// <summary>A new token for <paramref name="grant"/>.</summary>
    public static string Create(Grant grant, IRandomSource random)
    {
        var arn = Encoding.UTF8.GetBytes(grant.KeyArn);
        var bytes = new byte[1 + 2 + arn.Length + GrantId.ByteLength + NonceLength + MacLength];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), (ushort)arn.Length);
        arn.CopyTo(bytes, 3);
        var offset = 3 + arn.Length;
        grant.Id.WriteBytes(bytes.AsSpan(offset, GrantId.ByteLength));
        offset += GrantId.ByteLength;
        random.Fill(bytes.AsSpan(offset, NonceLength));
        offset += NonceLength;
        HMACSHA256.HashData(grant.TokenKey, bytes.AsSpan(0, offset), bytes.AsSpan(offset, MacLength));
        return Base64UrlEncode(bytes);
    }

    /// <summary>Parses a token's structure (no I/O, no secret): false when it is not a token this server could have made.</summary>
    public static bool TryParse(string? text, out GrantToken token)
    {
        token = default;
        if (text is not { Length: >= 1 and <= MaxLength })
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64UrlDecode(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length < 3 || bytes[0] != FormatVersion)
        {
            return false;
        }

        var arnLength = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(1));
        if (arnLength is 0 or > MaxArnBytes || bytes.Length != 3 + arnLength + GrantId.ByteLength + NonceLength + MacLength)
        {
            return false;
        }

        string arn;
        try
        {
            arn = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, 3, arnLength);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (!Keys.KeyArn.TryParse(arn, out _, out _, out var resource) || !resource.StartsWith("key/", StringComparison.Ordinal)
            || !Keys.KeyId.TryParse(resource["key/".Length..], out _))
        {
            return false;
        }

        var grantId = GrantId.From(bytes.AsSpan(3 + arnLength, GrantId.ByteLength));
        token = new GrantToken(bytes, arn, grantId);
        return true;
    }

    /// <summary>Checks every member of a GrantTokens list: at most 10, each a well-formed token.</summary>
    /// <exception cref="KmsException">ValidationException for too many or over-long tokens; InvalidGrantTokenException for a malformed one.</exception>
    public static void EnsureWellFormed(IReadOnlyList<string>? grantTokens, int maxCount)
    {
        if (grantTokens is null)
        {
            return;
        }

        if (grantTokens.Count > maxCount)
        {
            KmsErrors.Validation("grantTokens", $"Member must have length less than or equal to {maxCount}");
        }

        foreach (var text in grantTokens)
        {
            Parse(text, "grantTokens");
        }
    }

    /// <summary>Parses a token or refuses it as AWS KMS does.</summary>
    public static GrantToken Parse(string? text, string member)
    {
        if (text is not { Length: >= 1 and <= MaxLength })
        {
            KmsErrors.Validation(member, $"Member must have length between 1 and {MaxLength}");
        }

        return TryParse(text, out var token)
            ? token
            : KmsErrors.Throw<GrantToken>(KmsErrorCode.InvalidGrantTokenException, "The grant token is not valid.");
    }

    /// <summary>True when this token was made by this server for <paramref name="grant"/> (same key, same id, valid MAC).</summary>
    public bool IsAuthenticFor(Grant grant)
    {
        if (_bytes is null || GrantId != grant.Id || !string.Equals(KeyArn, grant.KeyArn, StringComparison.Ordinal))
        {
            return false;
        }

        var macOffset = _bytes.Length - MacLength;
        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(grant.TokenKey, _bytes.AsSpan(0, macOffset), expected);
        return CryptographicOperations.FixedTimeEquals(expected, _bytes.AsSpan(macOffset));
    }

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] Base64UrlDecode(string text)
    {
        if (!System.Buffers.Text.Base64Url.IsValid(text))
        {
            throw new FormatException();
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(text);
    }
}
