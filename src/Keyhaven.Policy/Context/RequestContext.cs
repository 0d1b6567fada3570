namespace Keyhaven.Policy.Context;

/// <summary>
/// A dictionary-backed <see cref="IRequestContext"/> with ordinal case-insensitive keys.
/// Build it once per request; lookups allocate nothing.
/// </summary>
/// <remarks>Immutable after construction; safe for concurrent reads.</remarks>
public sealed class RequestContext : IRequestContext
{
    private readonly Dictionary<string, ContextValues> _values;

    /// <summary>An empty context.</summary>
    public static RequestContext Empty { get; } = new(new Dictionary<string, ContextValues>());

    private RequestContext(Dictionary<string, ContextValues> values) => _values = values;

    /// <summary>Copies <paramref name="values"/> into a case-insensitive context.</summary>
    /// <exception cref="ArgumentException">Two keys differ only by case.</exception>
    public static RequestContext From(IEnumerable<KeyValuePair<string, ContextValues>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dict = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            if (!dict.TryAdd(key, value))
            {
                throw new ArgumentException($"Context key `{key}` is given twice (keys are case-insensitive).", nameof(values));
            }
        }

        return new RequestContext(dict);
    }

    /// <summary>Builds a context from single-valued keys.</summary>
    public static RequestContext FromSingleValues(IEnumerable<KeyValuePair<string, string>> values) =>
        From(values.Select(kv => KeyValuePair.Create(kv.Key, new ContextValues(kv.Value))));

    /// <summary>The keys, as given.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public bool TryGetValues(string key, out ContextValues values) => _values.TryGetValue(key, out values);
}
