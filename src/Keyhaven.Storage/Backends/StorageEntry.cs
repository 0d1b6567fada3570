namespace Keyhaven.Storage.Backends;

/// <summary>One record as a backend holds it: opaque bytes and a version that grows by one on every write.</summary>
public sealed record StorageEntry(StorageKey Key, long Version, byte[] Value);
