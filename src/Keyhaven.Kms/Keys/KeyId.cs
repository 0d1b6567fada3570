using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// The id of a KMS key: a lowercase UUID (<c>1234abcd-12ab-34cd-56ef-1234567890ab</c>), or for a multi-Region key
/// <c>mrk-</c> and 32 lowercase hex digits (<c>mrk-1234abcd12ab34cd56ef1234567890ab</c>), shared by the primary key
/// and its replicas.
/// </summary>
public readonly record struct KeyId
{
    public const string MultiRegionPrefix = "mrk-";

    private KeyId(string value) => Value = value;

    public string Value { get; }

    /// <summary>True for the id of a multi-Region key (<c>mrk-…</c>).</summary>
    public bool IsMultiRegion => Value is not null && Value.StartsWith(MultiRegionPrefix, StringComparison.Ordinal);

    public static KeyId New(Guid guid) => new(guid.ToString("D"));

    /// <summary>A multi-Region key id: <c>mrk-</c> and the 32 hex digits of <paramref name="guid"/>.</summary>
    public static KeyId NewMultiRegion(Guid guid) => new(MultiRegionPrefix + guid.ToString("N"));

    public static bool TryParse([NotNullWhen(true)] string? text, out KeyId keyId)
    {
        keyId = default;
        if (text is { Length: 36 } && text.StartsWith(MultiRegionPrefix, StringComparison.Ordinal))
        {
            if (!text.AsSpan(MultiRegionPrefix.Length).ContainsAnyExcept("0123456789abcdef"))
            {
                keyId = new KeyId(text);
                return true;
            }

            return false;
        }

        if (text is not { Length: 36 } || !Guid.TryParseExact(text, "D", out _) || text.Any(char.IsAsciiLetterUpper))
        {
            return false;
        }

        keyId = new KeyId(text);
        return true;
    }

    public override string ToString() => Value;
}
