namespace Keyhaven.Storage.Barrier;

/// <summary>A stored value failed authentication: it was altered, moved to another record, or sealed by another root key.</summary>
public sealed class BarrierIntegrityException(string message) : Exception(message);
