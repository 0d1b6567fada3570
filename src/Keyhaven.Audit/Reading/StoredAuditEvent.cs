using Keyhaven.Audit.Events;

namespace Keyhaven.Audit.Reading;

/// <summary>An event as read back from the trail, with its position.</summary>
public sealed record StoredAuditEvent(long Sequence, AuditEvent Event, ReadOnlyMemory<byte> Json);
