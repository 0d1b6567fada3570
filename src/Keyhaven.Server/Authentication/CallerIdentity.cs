using Keyhaven.Identity.Principals;
using Keyhaven.Kms.Accounts;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// The principal that signed a request, as authentication resolved it from the access key: the account root, an IAM
/// user (long-term key or GetSessionToken session) or a role session. Holds no secret. Immutable.
/// </summary>
/// <remarks>
/// Authorization reads <see cref="Type"/>, <see cref="Arn"/>, <see cref="Account"/>, <see cref="UserId"/>,
/// <see cref="UserName"/>, <see cref="Tags"/>, <see cref="RoleArn"/>, <see cref="SessionExpiration"/> and
/// <see cref="SessionPolicy"/>; <see cref="ToPolicyPrincipal"/> gives the policy engine's principal, and
/// <c>IdentityStore.GetPoliciesAsync(caller.Principal, …)</c> the identity policies and boundary.
/// </remarks>
public sealed record CallerIdentity(AccountId Account, string Arn, string UserId)
{
    /// <summary>The identity domain's view of the principal.</summary>
    public IdentityPrincipal Principal { get; init; } = Derive(Account, Arn, UserId);

    /// <summary>Creates the caller of a resolved access key.</summary>
    public CallerIdentity(IdentityPrincipal principal)
        : this(AccountId.Parse(principal.Account.Value), principal.Arn, principal.UserId) => Principal = principal;

    /// <summary>Root, User or AssumedRole.</summary>
    public PrincipalKind Type => Principal.Kind;

    /// <summary>The IAM user name (users and their GetSessionToken sessions); null otherwise.</summary>
    public string? UserName => Principal.UserName;

    /// <summary>Principal tags: the user's, or the role's for a role session.</summary>
    public IReadOnlyDictionary<string, string> Tags => Principal.Tags;

    /// <summary>For role sessions, the ARN of the role (with its path).</summary>
    public string? RoleArn => Principal.RoleArn;

    /// <summary>For role sessions, the session name.</summary>
    public string? SessionName => Principal.SessionName;

    /// <summary>When the temporary credential expires; null for long-term keys.</summary>
    public DateTimeOffset? SessionExpiration => Principal.SessionExpiration;

    /// <summary>True when the request was signed with temporary credentials (<c>ASIA…</c> + session token).</summary>
    public bool IsSession => Principal.IsSession;

    /// <summary>The inline session policy passed to AssumeRole, or null.</summary>
    public string? SessionPolicy => Principal.SessionPolicy;

    /// <summary>The access key id that signed the request.</summary>
    public string AccessKeyId => Principal.AccessKeyId;

    /// <summary>
    /// The policy engine's principal (role sessions carry their role ARN, path included), with the user's or role's
    /// unique id that principals bound in resource-based policies are compared with.
    /// </summary>
    public PrincipalIdentity ToPolicyPrincipal() => PrincipalIdentity.Parse(Arn, RoleArn, Principal.PrincipalUniqueId);

    private static IdentityPrincipal Derive(AccountId account, string arn, string userId) => new()
    {
        Kind = arn.EndsWith(":root", StringComparison.Ordinal) ? PrincipalKind.Root
            : arn.Contains(":user/", StringComparison.Ordinal) ? PrincipalKind.User
            : PrincipalKind.AssumedRole,
        Account = Keyhaven.Policy.Arns.AccountId.Parse(account.Value),
        Arn = arn,
        UserId = userId,
        AccessKeyId = "",
    };
}
