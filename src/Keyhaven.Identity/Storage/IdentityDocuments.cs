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
    public List<string> AttachedPolicyArns { get; set; } = [];

    /// <summary>Names of the groups the user is in (as the groups spell them); each group lists the user too.</summary>
    public List<string> GroupNames { get; set; } = [];
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

    /// <summary>The unique ids the trust policy's user and role ARNs stood for when it was saved; absent in roles saved before bindings existed (they match by ARN).</summary>
    public SortedDictionary<string, string>? TrustPolicyPrincipalIds { get; set; }
    public string? Description { get; set; }
    public int MaxSessionDuration { get; set; } = 3600;
    public string? PermissionsBoundaryArn { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
    public SortedDictionary<string, string> Policies { get; set; } = new(StringComparer.Ordinal);
    public List<string> AttachedPolicyArns { get; set; } = [];
}

/// <summary>Table <c>iam_groups</c>, id <c>ACCOUNT/lowercase-name</c>.</summary>
internal sealed class GroupDocument
{
    public string Account { get; set; } = "";
    public string GroupName { get; set; } = "";
    public string Path { get; set; } = "/";
    public string GroupId { get; set; } = "";
    public string Arn { get; set; } = "";
    public DateTimeOffset CreateDate { get; set; }
    public SortedDictionary<string, string> Policies { get; set; } = new(StringComparer.Ordinal);
    public List<string> AttachedPolicyArns { get; set; } = [];

    /// <summary>Names of the member users (as the users spell them); each user lists the group too.</summary>
    public List<string> UserNames { get; set; } = [];
}

/// <summary>
/// Table <c>iam_policies</c>, id <c>ACCOUNT/lowercase-name</c> (managed policy names are unique in an account ignoring
/// case, whatever their path). Holds every version and the entities it is attached to.
/// </summary>
internal sealed class ManagedPolicyDocument
{
    public string Account { get; set; } = "";
    public string PolicyName { get; set; } = "";
    public string Path { get; set; } = "/";
    public string PolicyId { get; set; } = "";
    public string Arn { get; set; } = "";
    public string? Description { get; set; }
    public DateTimeOffset CreateDate { get; set; }
    public DateTimeOffset UpdateDate { get; set; }
    public string DefaultVersionId { get; set; } = "v1";

    /// <summary>The number the next version gets (<c>v</c> + this); version ids are never reused.</summary>
    public int NextVersion { get; set; } = 2;

    public List<PolicyVersionDocument> Versions { get; set; } = [];
    public List<string> AttachedUsers { get; set; } = [];
    public List<string> AttachedRoles { get; set; } = [];
    public List<string> AttachedGroups { get; set; } = [];
}

internal sealed class PolicyVersionDocument
{
    public string VersionId { get; set; } = "";
    public string Document { get; set; } = "";
    public DateTimeOffset CreateDate { get; set; }
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
    public List<string> SessionPolicyArns { get; set; } = [];
    public List<TagDocument> Tags { get; set; } = [];
    public List<TagDocument> SessionTags { get; set; } = [];
    public List<string> TransitiveTagKeys { get; set; } = [];
    public string? SourceIdentity { get; set; }

    /// <summary>For AssumeRoleWithWebIdentity sessions: the OIDC provider's ARN and the token's subject and audience.</summary>
    public string? FederatedProvider { get; set; }
    public string? WebIdentitySubject { get; set; }
    public string? WebIdentityAudience { get; set; }

    /// <summary>For workload sessions (instance metadata): the instance's ARN, VPC and private address.</summary>
    public string? Ec2SourceInstanceArn { get; set; }
    public string? Ec2InstanceSourceVpc { get; set; }
    public string? Ec2InstanceSourcePrivateIPv4 { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset Expiration { get; set; }
}

[JsonSerializable(typeof(UserDocument))]
[JsonSerializable(typeof(RoleDocument))]
[JsonSerializable(typeof(AccessKeyDocument))]
[JsonSerializable(typeof(SessionDocument))]
[JsonSerializable(typeof(GroupDocument))]
[JsonSerializable(typeof(ManagedPolicyDocument))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
