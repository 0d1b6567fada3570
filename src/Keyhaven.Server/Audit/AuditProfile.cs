using System.Collections.Frozen;

namespace Keyhaven.Server.Audit;

/// <summary>How a service appears in the audit trail: its event source, wire protocol, the error code it answers when the audit write fails, and the allow-list of every operation.</summary>
internal sealed class AuditProfile
{
    private readonly FrozenDictionary<string, AuditOperation> _operations;

    public AuditProfile(string eventSource, AuditProtocol protocol, string internalErrorCode, IEnumerable<AuditOperation> operations)
    {
        EventSource = eventSource;
        Protocol = protocol;
        InternalErrorCode = internalErrorCode;
        _operations = operations.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);
    }

    /// <summary><c>kms.amazonaws.com</c>, …</summary>
    public string EventSource { get; }

    public AuditProtocol Protocol { get; }

    /// <summary>The service's code for an internal failure (<c>KMSInternalException</c>, <c>ServiceFailure</c>, …), answered with HTTP 500.</summary>
    public string InternalErrorCode { get; }

    public IEnumerable<string> OperationNames => _operations.Keys;

    /// <summary>The operation's allow-list; null for a name the service does not know (nothing of its request is recorded).</summary>
    public AuditOperation? Find(string name) => _operations.GetValueOrDefault(name);
}

/// <summary>The wire protocol a service speaks, which decides how its requests, responses and errors are read for the audit event.</summary>
internal enum AuditProtocol
{
    /// <summary>AWS JSON 1.1: <c>X-Amz-Target: Prefix.Operation</c>, JSON bodies, errors as <c>{"__type","message"}</c>.</summary>
    Json,

    /// <summary>AWS Query: form-encoded <c>Action</c> and parameters, XML responses and <c>ErrorResponse</c>s.</summary>
    Query,
}
