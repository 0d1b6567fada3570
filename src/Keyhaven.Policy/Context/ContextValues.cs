namespace Keyhaven.Policy.Context;

/// <summary>
/// The value(s) of one request-context key: a single string or a set of strings, stored without copying.
/// An empty set is distinct from a missing key only for <c>Null</c>: both count as "no value" elsewhere.
/// </summary>
public readonly struct ContextValues
{
    private readonly string? _single;
    private readonly string[]? _many;

    /// <summary>A single value.</summary>
    public ContextValues(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _single = value;
        _many = null;
    }

    /// <summary>A multi-valued key (the array is referenced, not copied: do not mutate it afterwards).</summary>
    public ContextValues(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _single = null;
        _many = values;
    }

    /// <summary>Number of values (0 for an empty set).</summary>
    public int Count => _many?.Length ?? (_single is null ? 0 : 1);

    /// <summary><see langword="true"/> when the key was given as an array (even of one element).</summary>
    public bool IsMultiValued => _many is not null;

    /// <summary>The value at <paramref name="index"/>.</summary>
    public string this[int index] => _many is not null ? _many[index] : index == 0 && _single is not null ? _single : throw new ArgumentOutOfRangeException(nameof(index));

    /// <inheritdoc/>
    public override string ToString() => _many is not null ? "[" + string.Join(", ", _many) + "]" : _single ?? "";
}
