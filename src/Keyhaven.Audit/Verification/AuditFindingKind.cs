namespace Keyhaven.Audit.Verification;

/// <summary>What verification found wrong at a position of the trail.</summary>
public enum AuditFindingKind
{
    /// <summary>The stored event was altered: it no longer opens, or no longer links to the event before it.</summary>
    Modified,

    /// <summary>Events are missing from the middle of the trail.</summary>
    Deleted,

    /// <summary>A row that is not an event of this trail at that position (a copy of another event, or a made-up id).</summary>
    Inserted,

    /// <summary>An event of the trail was moved to another position.</summary>
    Reordered,

    /// <summary>Events are missing from the end of the trail (a signed digest or the chain head names later ones).</summary>
    Truncated,

    /// <summary>A digest is missing, altered, badly signed, or does not match the chain it covers.</summary>
    DigestInvalid,
}
