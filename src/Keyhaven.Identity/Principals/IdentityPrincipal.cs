using Keyhaven.Policy.Arns;

namespace Keyhaven.Identity.Principals;

/// <summary>
/// The principal an access key (long-term or temporary) belongs to, as authorization sees it. Immutable. Holds no
/// secret: the session token is represented only by its SHA-256 (<see cref="SessionTokenHash"/>).
/// </summary>
public sealed record IdentityPrincipal
{
    public required PrincipalKind Kind { get; init; }

    public required AccountId Account { get; init; }

    /// <summary><c>arn:aws:iam::ACCT:root</c>, <c>arn:aws:iam::ACCT:user/PATH/NAME</c> or <c>arn:aws:sts::ACCT:assumed-role/ROLE/SESSION</c>.</summary>
    public required string Arn { get; init; }

    /// <summary>The account id (root), <c>AIDA…</c> (user) or <c>AROA…:SESSION</c> (role session).</summary>
    public required string UserId { get; init; }

    /// <summary>
    /// The unique id a bound policy principal is compared with: the user's <c>AIDA…</c> id, or for a role session its
    /// role's <c>AROA…</c> id (<see cref="UserId"/> without the session name); null for the root user.
    /// </summary>
    public string? PrincipalUniqueId => Kind switch
    {
        PrincipalKind.User => UserId,
        PrincipalKind.AssumedRole => UserId.IndexOf(':') is var colon and > 0 ? UserId[..colon] : UserId,
        _ => null,
    };

    /// <summary>The IAM user name, for users.</summary>
    public string? UserName { get; init; }

    /// <summary>For role sessions, the role's ARN (with its path).</summary>
    public string? RoleArn { get; init; }

    /// <summary>For role sessions, the role's name.</summary>
    public string? RoleName { get; init; }

    /// <summary>For role sessions, the session name.</summary>
    public string? SessionName { get; init; }

    /// <summary>Tags of the user or role (principal tags).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>True when the credential is temporary (an <c>ASIA</c> key with a session token).</summary>
    public bool IsSession => SessionExpiration is not null;

    /// <summary>When a temporary credential stops working; null for long-term keys.</summary>
    public DateTimeOffset? SessionExpiration { get; init; }

    /// <summary>When the temporary credential was issued; null for long-term keys (and sessions stored before this was kept).</summary>
    public DateTimeOffset? SessionCreated { get; init; }

    /// <summary>SHA-256 of the session token; null for long-term keys.</summary>
    public byte[]? SessionTokenHash { get; init; }

    /// <summary>The inline session policy passed to AssumeRole, if any.</summary>
    public string? SessionPolicy { get; init; }

    /// <summary>Managed policies passed to AssumeRole as session policies (resolved to their default versions when a request is authorized).</summary>
    public IReadOnlyList<string> SessionPolicyArns { get; init; } = [];

    /// <summary>For role sessions, the session tags (passed to AssumeRole or inherited as transitive); they are also in <see cref="Tags"/>.</summary>
    public IReadOnlyDictionary<string, string> SessionTags { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys of <see cref="SessionTags"/> that pass on when this session assumes another role.</summary>
    public IReadOnlyList<string> TransitiveTagKeys { get; init; } = [];

    /// <summary>The source identity set with AssumeRole (<c>aws:SourceIdentity</c>); it stays for the whole role chain.</summary>
    public string? SourceIdentity { get; init; }

    /// <summary>For sessions from AssumeRoleWithWebIdentity: the OIDC provider's ARN (<c>aws:FederatedProvider</c>).</summary>
    public string? FederatedProvider { get; init; }

    /// <summary>For sessions from AssumeRoleWithWebIdentity: the token's <c>sub</c>.</summary>
    public string? WebIdentitySubject { get; init; }

    /// <summary>For sessions from AssumeRoleWithWebIdentity: the token's audience that matched the provider's client ids.</summary>
    public string? WebIdentityAudience { get; init; }

    /// <summary>
    /// For workload sessions: the ARN of the instance they were issued to (<c>ec2:SourceInstanceARN</c>); its presence
    /// also marks credentials delivered by the instance-metadata service (<c>ec2:RoleDelivery</c>).
    /// </summary>
    public string? Ec2SourceInstanceArn { get; init; }

    /// <summary>For workload sessions: the VPC of the instance they were issued to (<c>aws:ec2InstanceSourceVpc</c>).</summary>
    public string? Ec2InstanceSourceVpc { get; init; }

    /// <summary>For workload sessions: the private address of that instance (<c>aws:ec2InstanceSourcePrivateIPv4</c>).</summary>
    public string? Ec2InstanceSourcePrivateIPv4 { get; init; }

    /// <summary>The access key id that signed (<c>AKIA…</c> or <c>ASIA…</c>).</summary>
    public required string AccessKeyId { get; init; }
}
