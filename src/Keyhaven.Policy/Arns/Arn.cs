using System.Diagnostics;

namespace Keyhaven.Policy.Arns;

/// <summary>
/// An Amazon Resource Name split into its six segments
/// (<c>arn:partition:service:region:account-id:resource</c>); the resource segment may itself contain colons.
/// Parsed once at the edge, then passed around without further string work.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public readonly struct Arn : IEquatable<Arn>
{
    private readonly string? _value;
    // Offsets of the first five ':' separators.
    private readonly int _c1, _c2, _c3, _c4, _c5;

    private Arn(string value, int c1, int c2, int c3, int c4, int c5)
    {
        _value = value;
        (_c1, _c2, _c3, _c4, _c5) = (c1, c2, c3, c4, c5);
    }

    /// <summary>The full ARN text.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The partition (<c>aws</c>, <c>aws-cn</c>, ...).</summary>
    public ReadOnlySpan<char> Partition => Value.AsSpan(_c1 + 1, _c2 - _c1 - 1);

    /// <summary>The service namespace (<c>kms</c>, <c>iam</c>, ...).</summary>
    public ReadOnlySpan<char> Service => Value.AsSpan(_c2 + 1, _c3 - _c2 - 1);

    /// <summary>The region, empty for global services.</summary>
    public ReadOnlySpan<char> Region => Value.AsSpan(_c3 + 1, _c4 - _c3 - 1);

    /// <summary>The account id, empty for some resource types.</summary>
    public ReadOnlySpan<char> Account => Value.AsSpan(_c4 + 1, _c5 - _c4 - 1);

    /// <summary>The resource segment (may contain ':' and '/').</summary>
    public ReadOnlySpan<char> Resource => Value.AsSpan(_c5 + 1);

    /// <summary>Returns segment <paramref name="index"/> (0 = "arn" ... 5 = resource).</summary>
    internal ReadOnlySpan<char> Segment(int index) => index switch
    {
        0 => Value.AsSpan(0, _c1),
        1 => Partition,
        2 => Service,
        3 => Region,
        4 => Account,
        _ => Resource,
    };

    /// <summary>Parses <paramref name="text"/> as an ARN: it must start with <c>arn:</c> and have at least six segments.</summary>
    /// <returns><see langword="true"/> when <paramref name="text"/> is an ARN; never throws.</returns>
    public static bool TryParse(string? text, out Arn arn)
    {
        arn = default;
        if (text is null || !text.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        Span<int> colons = stackalloc int[5];
        int found = 0;
        for (int i = 0; i < text.Length && found < 5; i++)
        {
            if (text[i] == ':')
            {
                colons[found++] = i;
            }
        }

        if (found < 5)
        {
            return false;
        }

        // INVARIANT: colons are strictly increasing and within the text.
        Debug.Assert(colons[0] == 3 && colons[4] < text.Length);
        arn = new Arn(text, colons[0], colons[1], colons[2], colons[3], colons[4]);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> as an ARN.</summary>
    /// <exception cref="FormatException">The text is not of the form <c>arn:partition:service:region:account:resource</c>.</exception>
    public static Arn Parse(string text) =>
        TryParse(text, out var arn)
            ? arn
            : throw new FormatException($"`{text}` is not an ARN (expected arn:partition:service:region:account-id:resource).");

    /// <inheritdoc/>
    public bool Equals(Arn other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Arn other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value;

    public static bool operator ==(Arn left, Arn right) => left.Equals(right);

    public static bool operator !=(Arn left, Arn right) => !left.Equals(right);
}
