using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.CloudTrail;

/// <summary>What the audit trail records of CloudTrail's own API: the lookup's filters (the events returned are not repeated).</summary>
internal static class CloudTrailAuditProfile
{
    public static readonly AuditProfile Instance = new("cloudtrail.amazonaws.com", AuditProtocol.Json, "InternalFailure",
    [
        Of("LookupEvents", "LookupAttributes StartTime EndTime EventCategory MaxResults NextToken"),
    ]);
}
