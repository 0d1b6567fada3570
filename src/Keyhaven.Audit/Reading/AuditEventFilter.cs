using Keyhaven.Audit.Events;

namespace Keyhaven.Audit.Reading;

/// <summary>
/// Which events a query wants; every criterion given must match (null ones match anything). Names compare exactly,
/// except <see cref="Principal"/> and <see cref="Resource"/>, which also match a suffix after <c>/</c> or <c>:</c>
/// (a user name, a key id).
/// </summary>
public sealed record AuditEventFilter
{
    /// <summary>From this time on (inclusive).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Before this time (exclusive).</summary>
    public DateTimeOffset? To { get; init; }

    public string? EventName { get; init; }

    public string? EventSource { get; init; }

    /// <summary>A resource ARN, or its last part (a key id, a user name).</summary>
    public string? Resource { get; init; }

    /// <summary>A principal's ARN, principal id, user name, role session name, or access key id.</summary>
    public string? Principal { get; init; }

    /// <summary>The access key id that signed the request, exactly.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>An error code; <c>*</c> for any error.</summary>
    public string? ErrorCode { get; init; }

    public string? SourceIPAddress { get; init; }

    public bool? ReadOnly { get; init; }

    public string? EventId { get; init; }

    public string? RequestId { get; init; }

    public bool Matches(AuditEvent e)
    {
        return (From is null || e.EventTime >= From)
            && (To is null || e.EventTime < To)
            && (EventName is null || e.EventName == EventName)
            && (EventSource is null || e.EventSource == EventSource)
            && (SourceIPAddress is null || e.SourceIPAddress == SourceIPAddress)
            && (ReadOnly is null || e.ReadOnly == ReadOnly)
            && (EventId is null || e.EventID == EventId)
            && (RequestId is null || e.RequestID == RequestId)
            && (ErrorCode is null || (ErrorCode == "*" ? e.ErrorCode is not null : e.ErrorCode == ErrorCode))
            && (Resource is null || e.Resources?.Any(r => Names(r.Arn, Resource)) == true)
            && (Principal is null || MatchesPrincipal(e.UserIdentity, Principal))
            && (AccessKeyId is null || e.UserIdentity.AccessKeyId == AccessKeyId);
    }

    private static bool MatchesPrincipal(AuditUserIdentity identity, string principal) =>
        Names(identity.Arn, principal) || identity.PrincipalId == principal || identity.AccessKeyId == principal || identity.UserName == principal
        || identity.SessionContext?.SessionIssuer is { } issuer && (issuer.Arn == principal || issuer.UserName == principal);

    private static bool Names(string? arn, string wanted) =>
        arn is not null && (arn == wanted || arn.EndsWith("/" + wanted, StringComparison.Ordinal) || arn.EndsWith(":" + wanted, StringComparison.Ordinal));
}
