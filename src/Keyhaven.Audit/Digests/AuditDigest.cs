using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyhaven.Audit.Digests;

/// <summary>
/// A signed statement of where the chain stood (after CloudTrail's digest files): its number, when it was made, the
/// events it covers (first and last sequence since the previous digest; first &gt; last when none), the chain head's
/// hash after the last one, and the previous digest's hash, signed with the <see cref="AuditSigningKey"/>.
/// </summary>
public sealed record AuditDigest
{
    public required long Number { get; init; }

    public required DateTimeOffset DigestTime { get; init; }

    public required long FirstSequence { get; init; }

    public required long LastSequence { get; init; }

    /// <summary>Hex of the chain head's hash after <see cref="LastSequence"/> (zeros for an empty trail).</summary>
    public required string HeadHash { get; init; }

    /// <summary>Hex of the previous digest's <see cref="Hash"/> (zeros for the first).</summary>
    public required string PreviousDigestHash { get; init; }

    public string SignatureAlgorithm { get; init; } = AuditSigningKey.Algorithm;

    /// <summary>Base64 of the signature over <see cref="SignedPayload"/>.</summary>
    public string Signature { get; init; } = "";

    /// <summary>The exact bytes that are signed: every member but the signature, one per line.</summary>
    public byte[] SignedPayload() => Encoding.UTF8.GetBytes(string.Join('\n',
        "keyhaven-audit-digest/v1",
        Number.ToString(CultureInfo.InvariantCulture),
        DigestTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        FirstSequence.ToString(CultureInfo.InvariantCulture),
        LastSequence.ToString(CultureInfo.InvariantCulture),
        HeadHash,
        PreviousDigestHash));

    /// <summary>The digest's own hash (SHA-256 of the signed payload): what the next digest names as previous.</summary>
    public byte[] Hash() => SHA256.HashData(SignedPayload());

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, AuditDigestJsonContext.Default.AuditDigest);

    /// <exception cref="JsonException">Not a digest.</exception>
    public static AuditDigest FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AuditDigestJsonContext.Default.AuditDigest) ?? throw new JsonException("A digest must be a JSON object.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuditDigest))]
internal sealed partial class AuditDigestJsonContext : JsonSerializerContext;
