namespace Keyhaven.Storage.Backends;

/// <summary>The identity of one stored record: a table name and an id unique within it.</summary>
/// <remarks>Neither part is secret: both are stored in the clear so that backends can index and list them.</remarks>
public readonly record struct StorageKey(string Table, string Id)
{
    public override string ToString() => $"{Table}/{Id}";
}
