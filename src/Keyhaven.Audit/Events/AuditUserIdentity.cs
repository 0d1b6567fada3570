namespace Keyhaven.Audit.Events;

/// <summary>CloudTrail's <c>userIdentity</c>: who made the request, as authentication resolved it.</summary>
public sealed record AuditUserIdentity
{
    /// <summary><c>Root</c>, <c>IAMUser</c>, <c>AssumedRole</c>, <c>WebIdentityUser</c> (AssumeRoleWithWebIdentity), <c>AWSService</c> (the server itself), or <c>Unknown</c> when authentication failed.</summary>
    public required string Type { get; init; }

    public string? PrincipalId { get; init; }

    public string? Arn { get; init; }

    public string? AccountId { get; init; }

    /// <summary>The access key id that signed (or claimed to sign) the request. Never a secret.</summary>
    public string? AccessKeyId { get; init; }

    public string? UserName { get; init; }

    public AuditSessionContext? SessionContext { get; init; }

    /// <summary>The service that made the request on the user's behalf; null for direct calls.</summary>
    public string? InvokedBy { get; init; }

    /// <summary>For <c>WebIdentityUser</c>: the identity provider that issued the token (its ARN).</summary>
    public string? IdentityProvider { get; init; }
}
