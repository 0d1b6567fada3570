using System.Collections.Frozen;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Server.Kms;

/// <summary>
/// A domain enum and its names on the wire: parses a request member (ValidationException with AWS's enum set for an
/// unknown name, UnsupportedOperationException for a name of the model this server does not offer) and writes names back.
/// </summary>
internal sealed class WireEnum<T>(string member, IReadOnlyList<(T Value, string Name)> names, IReadOnlyList<string>? unsupported = null)
    where T : struct, Enum
{
    private readonly FrozenDictionary<string, T> _byName = names.ToFrozenDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal);
    private readonly FrozenDictionary<T, string> _byValue = names.ToFrozenDictionary(n => n.Value, n => n.Name);
    private readonly string _enumSet = string.Join(", ", names.Select(n => n.Name).Concat(unsupported ?? []));

    public string ToWire(T value) => _byValue.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    /// <summary>Parses a required member.</summary>
    public T Parse(string? name) =>
        name is null
            ? throw new KmsException(KmsErrorCode.ValidationException, $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null")
            : ParseOptional(name)!.Value;

    /// <summary>Parses an optional member: null stays null.</summary>
    public T? ParseOptional(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (_byName.TryGetValue(name, out var value))
        {
            return value;
        }

        if (unsupported is not null && unsupported.Contains(name))
        {
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"`{name}` at '{member}' is not supported by Keyhaven (it is offered only in AWS China Regions).");
        }

        throw new KmsException(KmsErrorCode.ValidationException,
            $"1 validation error detected: Value `{name}` at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{_enumSet}]");
    }
}
