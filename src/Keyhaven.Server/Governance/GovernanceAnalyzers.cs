namespace Keyhaven.Server.Governance;

/// <summary>The analyzers a findings run can include (command names of <c>keyhaven analyze</c>).</summary>
[Flags]
public enum GovernanceAnalyzers
{
    None = 0,
    ExternalAccess = 1,
    SeparationOfDuties = 2,
    PolicyValidation = 4,
    Compliance = 8,
    All = ExternalAccess | SeparationOfDuties | PolicyValidation | Compliance,
}
