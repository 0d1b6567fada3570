namespace Keyhaven.Identity.Users;

/// <summary>An IAM user's access key without its secret.</summary>
public sealed record AccessKeyMetadata(string UserName, string AccessKeyId, AccessKeyStatus Status, DateTimeOffset CreateDate);
