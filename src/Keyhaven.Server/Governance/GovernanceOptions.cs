namespace Keyhaven.Server.Governance;

/// <summary>What a findings run covers.</summary>
public sealed record GovernanceOptions
{
    /// <summary>Which analyzers run.</summary>
    public GovernanceAnalyzers Analyzers { get; init; } = GovernanceAnalyzers.All;

    /// <summary>Keys and roles with no audit event for this many days (and older than that) are unused.</summary>
    public int UnusedDays { get; init; } = 90;

    /// <summary>A key pending deletion that was used (or that someone tried to use) in this many days is reported.</summary>
    public int RecentUseDays { get; init; } = 30;

    /// <summary>Only resources of these accounts; null for every account.</summary>
    public IReadOnlySet<string>? Accounts { get; init; }

    /// <summary>The largest day count accepted (about ten years).</summary>
    public const int MaxDays = 3650;
}
