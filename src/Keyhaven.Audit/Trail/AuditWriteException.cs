namespace Keyhaven.Audit.Trail;

/// <summary>The audit trail could not commit an event (or a digest). The request it belongs to must fail: audit fails closed.</summary>
public sealed class AuditWriteException(string message, Exception? inner = null) : Exception(message, inner);
