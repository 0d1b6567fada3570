namespace Keyhaven.Storage.Backends;

/// <summary>A write expected a record version that is no longer (or not yet) the stored one.</summary>
public sealed class StorageConflictException(StorageKey key, long expectedVersion)
    : Exception($"Record `{key}` is not at version {expectedVersion}; another writer changed it.")
{
    public StorageKey Key { get; } = key;
}
