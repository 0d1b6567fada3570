namespace Keyhaven.Identity.Roles;

/// <summary>An IAM role as IAM reports it; <see cref="AssumeRolePolicyDocument"/> is the trust policy text as given.</summary>
public sealed record IamRole(string RoleName, string Path, string RoleId, string Arn, DateTimeOffset CreateDate,
    string AssumeRolePolicyDocument, string? Description, int MaxSessionDuration, string? PermissionsBoundaryArn,
    IReadOnlyList<KeyValuePair<string, string>> Tags);
