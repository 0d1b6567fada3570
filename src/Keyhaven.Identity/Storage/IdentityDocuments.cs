using System.Text.Json.Serialization;

namespace Keyhaven.Identity.Storage;

// The JSON stored (sealed by the barrier) for each identity record. Field names are a storage format: only add fields.

internal sealed class TagDocument
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>Table <c>iam_users</c>, id <c>ACCOUNT/lowercase-name</c> (IAM user names are unique ignoring case).</summary>
internal sealed class UserDocument
{
    public string Account { get; set; } = "";
    public string UserName { get; set; } = "";
    public string Path { get; set; } = "/";
    public string UserId { get; set; } = "";
    public string Arn { get; set; } = "";
    public DateTimeOffset CreateDate { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
    public string? PermissionsBoundaryArn { get; set; }
    public SortedDictionary<string, string> Policies { get; set; } = new(StringComparer.Ordinal);
    public List<string> AccessKeyIds { get; set; } = [];
}

/// <summary>Table <c>iam_roles</c>, id <c>ACCOUNT/lowercase-name</c>.</summary>
internal sealed class RoleDocument
{
    public string Account { get; set; } = "";
    public string RoleName { get; set; } = "";
    public string Path { get; set; } = "/";
    public string RoleId { get; set; } = "";
    public string Arn { get; set; } = "";
    public DateTimeOffset CreateDate { get; set; }
    public string AssumeRolePolicyDocument { get; set; } = "";
    public string? Description { get; set; }
    public int MaxSessionDuration { get; set; } = 3600;
    public string? PermissionsBoundaryArn { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
    public SortedDictionary<string, string> Policies { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Table <c>access_keys</c>, id = the access key id. The first six fields are the format the root key has always been
/// stored in; <see cref="UserName"/> null means the account root.
/// </summary>
internal sealed class AccessKeyDocument
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";
    public string Account { get; set; } = "";
    public string Arn { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string? UserName { get; set; }
    public string? Status { get; set; }
}

/// <summary>Table <c>sts_sessions</c>, id = the temporary access key id (<c>ASIA…</c>). Holds the token's SHA-256, not the token.</summary>
internal sealed class SessionDocument
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";
    public string SessionTokenSha256 { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Account { get; set; } = "";
    public string Arn { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? UserName { get; set; }
    public string? RoleArn { get; set; }
    public string? RoleName { get; set; }
    public string? SessionName { get; set; }
    public string? SessionPolicy { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset Expiration { get; set; }
}

[JsonSerializable(typeof(UserDocument))]
[JsonSerializable(typeof(RoleDocument))]
[JsonSerializable(typeof(AccessKeyDocument))]
[JsonSerializable(typeof(SessionDocument))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
