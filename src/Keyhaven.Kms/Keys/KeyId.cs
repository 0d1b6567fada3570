using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Kms.Keys;

/// <summary>The id of a KMS key: a lowercase UUID (<c>1234abcd-12ab-34cd-56ef-1234567890ab</c>).</summary>
public readonly record struct KeyId
{
    private KeyId(string value) => Value = value;

    public string Value { get; }

    public static KeyId New(Guid guid) => new(guid.ToString("D"));

    public static bool TryParse([NotNullWhen(true)] string? text, out KeyId keyId)
    {
        keyId = default;
        if (text is not { Length: 36 } || !Guid.TryParseExact(text, "D", out _) || text.Any(char.IsAsciiLetterUpper))
        {
            return false;
        }

        keyId = new KeyId(text);
        return true;
    }

    public override string ToString() => Value;
}
