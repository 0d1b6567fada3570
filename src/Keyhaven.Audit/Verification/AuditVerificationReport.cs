namespace Keyhaven.Audit.Verification;

/// <summary>The outcome of verifying the trail (or the part of it in a time range).</summary>
public sealed record AuditVerificationReport
{
    public required IReadOnlyList<AuditFinding> Findings { get; init; }

    /// <summary>Events that opened and linked correctly.</summary>
    public required long EventsVerified { get; init; }

    /// <summary>Digests whose signature and chain checked out.</summary>
    public required long DigestsVerified { get; init; }

    /// <summary>First and last sequence number verified (0 when none).</summary>
    public required long FirstSequence { get; init; }

    public required long LastSequence { get; init; }

    public bool IsIntact => Findings.Count == 0;
}
