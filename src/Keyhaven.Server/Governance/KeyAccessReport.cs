namespace Keyhaven.Server.Governance;

/// <summary>Who can perform <see cref="Action"/> on one key: every principal known, in inventory order.</summary>
public sealed record KeyAccessReport(string KeyArn, string Action, IReadOnlyList<KeyAccessEntry> Entries);
