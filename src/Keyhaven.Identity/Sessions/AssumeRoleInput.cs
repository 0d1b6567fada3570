namespace Keyhaven.Identity.Sessions;

/// <summary>The parameters of one STS AssumeRole call, as the caller gave them (unvalidated).</summary>
public sealed record AssumeRoleInput
{
    public required string? RoleArn { get; init; }

    public required string? RoleSessionName { get; init; }

    /// <summary>900 s up to the role's MaxSessionDuration (1 hour when role chaining); default 3,600.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>The inline session policy (JSON).</summary>
    public string? Policy { get; init; }

    /// <summary>Managed policies used as session policies (at most 10 ARNs).</summary>
    public IReadOnlyList<string> PolicyArns { get; init; } = [];

    public string? ExternalId { get; init; }

    /// <summary>Session tags (<c>sts:TagSession</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Keys of <see cref="Tags"/> that pass on to sessions this session assumes (role chaining).</summary>
    public IReadOnlyList<string> TransitiveTagKeys { get; init; } = [];

    /// <summary>The source identity (<c>sts:SetSourceIdentity</c>); once set it stays for the whole role chain.</summary>
    public string? SourceIdentity { get; init; }
}
