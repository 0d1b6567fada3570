using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Kms.Grants;

/// <summary>The id of a grant: 64 lowercase hex characters (32 random bytes), the form AWS KMS uses.</summary>
public readonly record struct GrantId
{
    public const int Length = 64;
    public const int ByteLength = 32;

    private GrantId(string value) => Value = value;

    public string Value { get; }

    /// <summary>A new id from 32 random bytes.</summary>
    public static GrantId From(ReadOnlySpan<byte> bytes)
    {
        // INVARIANT: callers pass exactly ByteLength bytes.
        System.Diagnostics.Debug.Assert(bytes.Length == ByteLength);
        return new GrantId(Convert.ToHexStringLower(bytes));
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out GrantId grantId)
    {
        grantId = default;
        if (text is not { Length: Length } || !text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        grantId = new GrantId(text);
        return true;
    }

    /// <summary>Writes the 32 bytes the id encodes.</summary>
    public void WriteBytes(Span<byte> destination) => Convert.FromHexString(Value, destination, out _, out _);

    public override string ToString() => Value;
}
