namespace Keyhaven.Identity;

/// <summary>Fills a buffer with cryptographically strong random bytes (injected so tests can pin ids).</summary>
public delegate void RandomFill(Span<byte> destination);
