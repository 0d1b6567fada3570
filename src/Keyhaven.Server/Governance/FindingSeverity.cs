namespace Keyhaven.Server.Governance;

/// <summary>How urgent a governance finding is, most urgent first.</summary>
public enum FindingSeverity
{
    Critical,
    High,
    Medium,
    Low,
    Informational,
}
