using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Governance;

/// <summary>What the audit trail records of the governance API: the question asked (the findings are not repeated).</summary>
internal static class GovernanceAuditProfile
{
    public static readonly AuditProfile Instance = new(GovernanceService.EventSource, AuditProtocol.Json, "InternalFailure",
    [
        Of("AnalyzeFindings", "analyzers unusedDays recentUseDays", readOnly: true),
        Of("AnalyzeKeyAccess", "keyId action", readOnly: true),
    ]);
}
