using Keyhaven.Audit.Reading;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>Reads a test server's audit trail.</summary>
public static class AuditLog
{
    /// <summary>Every event after <paramref name="afterSequence"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<StoredAuditEvent>> EventsAsync(this TestServer server, long afterSequence = 0, AuditEventFilter? filter = null)
    {
        var events = new List<StoredAuditEvent>();
        await foreach (var stored in server.Server.AuditReader.ReadAsync(filter, afterSequence))
        {
            events.Add(stored);
        }

        return events;
    }

    /// <summary>The one event of the request with id <paramref name="requestId"/>.</summary>
    public static async Task<StoredAuditEvent> EventOfAsync(this TestServer server, string requestId) =>
        Assert.Single(await server.EventsAsync(filter: new AuditEventFilter { RequestId = requestId }));
}
