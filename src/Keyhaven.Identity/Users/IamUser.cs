namespace Keyhaven.Identity.Users;

/// <summary>An IAM user as IAM reports it.</summary>
public sealed record IamUser(string UserName, string Path, string UserId, string Arn, DateTimeOffset CreateDate,
    IReadOnlyList<KeyValuePair<string, string>> Tags, string? PermissionsBoundaryArn);
