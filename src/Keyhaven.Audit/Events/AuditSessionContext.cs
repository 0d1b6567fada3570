namespace Keyhaven.Audit.Events;

/// <summary>CloudTrail's <c>sessionContext</c>: for temporary credentials, who issued the session and its attributes.</summary>
public sealed record AuditSessionContext
{
    public AuditSessionIssuer? SessionIssuer { get; init; }

    /// <summary>Web identity federation (unused until Keyhaven federates web identities).</summary>
    public IReadOnlyDictionary<string, string>? WebIdFederationData { get; init; }

    public required AuditSessionAttributes Attributes { get; init; }

    /// <summary>The source identity set with AssumeRole, when the session has one.</summary>
    public string? SourceIdentity { get; init; }
}

/// <summary>The role (or user) whose credentials issued a session.</summary>
public sealed record AuditSessionIssuer
{
    /// <summary><c>Role</c> or <c>IAMUser</c>.</summary>
    public required string Type { get; init; }

    public required string PrincipalId { get; init; }

    public required string Arn { get; init; }

    public required string AccountId { get; init; }

    public required string UserName { get; init; }
}

/// <summary>Session attributes: when the credentials were issued (if known), until when, and whether MFA was used.</summary>
public sealed record AuditSessionAttributes
{
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>When the session's credentials expire (a Keyhaven addition: CloudTrail records only the creation date).</summary>
    public DateTimeOffset? ExpirationDate { get; init; }

    /// <summary>"true" or "false", a string as in CloudTrail.</summary>
    public string MfaAuthenticated { get; init; } = "false";
}
