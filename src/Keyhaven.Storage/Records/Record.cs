using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Records;

/// <summary>An unsealed record: its identity, its version (for optimistic concurrency) and its plaintext value.</summary>
/// <remarks>The caller owns <see cref="Value"/> and zeroes it when it holds secrets.</remarks>
public sealed record Record(StorageKey Key, long Version, byte[] Value);
