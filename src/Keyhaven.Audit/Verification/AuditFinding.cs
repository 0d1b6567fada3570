namespace Keyhaven.Audit.Verification;

/// <summary>One thing wrong with the trail: what, where (the event's sequence number, or the digest's number), and a sentence saying so.</summary>
public sealed record AuditFinding(AuditFindingKind Kind, long Position, string Detail)
{
    public override string ToString() => $"{Kind} at {(Kind == AuditFindingKind.DigestInvalid ? "digest" : "event")} {Position}: {Detail}";
}
