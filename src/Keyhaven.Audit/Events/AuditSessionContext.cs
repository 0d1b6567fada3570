namespace Keyhaven.Audit.Events;

/// <summary>CloudTrail's <c>sessionContext</c>: for temporary credentials, who issued the session and its attributes.</summary>
public sealed record AuditSessionContext
{
    public AuditSessionIssuer? SessionIssuer { get; init; }

    /// <summary>For sessions from AssumeRoleWithWebIdentity: the identity provider and what its token said.</summary>
    public AuditWebIdFederationData? WebIdFederationData { get; init; }

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

/// <summary>CloudTrail's <c>webIdFederationData</c>: the provider that federated the session and the attributes it reported.</summary>
public sealed record AuditWebIdFederationData
{
    /// <summary>The OIDC provider's ARN.</summary>
    public required string FederatedProvider { get; init; }

    /// <summary>The token's claims the trust policy could test, as <c>HOST/PATH:aud</c> and <c>HOST/PATH:sub</c>.</summary>
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }
}
