namespace Keyhaven.Kms.Usage;

/// <summary>The last successful cryptographic operation with a key: its name (Encrypt, Sign, …), when, and the request's id.</summary>
public sealed record KeyLastUsage(string Operation, DateTimeOffset Timestamp, string? RequestId);
