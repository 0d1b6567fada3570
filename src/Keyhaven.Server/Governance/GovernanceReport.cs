namespace Keyhaven.Server.Governance;

/// <summary>The findings of one run, most severe first.</summary>
public sealed record GovernanceReport(DateTimeOffset GeneratedAt, IReadOnlyList<Finding> Findings);
