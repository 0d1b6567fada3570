using System.Diagnostics;
using Keyhaven.Policy.Arns;

namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// The authenticated caller: ARN, account, type, and for role sessions the ARN of the role.
/// Create with <see cref="TryParse"/> / <see cref="Parse"/>, or the <c>For*</c> factories.
/// </summary>
/// <remarks>Immutable; every string the evaluator needs is precomputed so that evaluation allocates nothing.</remarks>
public sealed class PrincipalIdentity
{
    private PrincipalIdentity(PrincipalType type, string arn, AccountId account, string? roleArn, string? userName, string? uniqueId = null)
    {
        Type = type;
        UniqueId = uniqueId;
        Arn = arn;
        Account = account;
        RoleArn = roleArn;
        UserName = userName;
        RootArn = account.IsEmpty ? null : $"arn:{PartitionOf(arn)}:iam::{account.Value}:root";
    }

    /// <summary>The principal type.</summary>
    public PrincipalType Type { get; }

    /// <summary>The principal ARN (for services the service name, for anonymous <c>*</c>).</summary>
    public string Arn { get; }

    /// <summary>The principal's account; empty for services and anonymous callers.</summary>
    public AccountId Account { get; }

    /// <summary>For <see cref="PrincipalType.RoleSession"/>, the role's ARN; for <see cref="PrincipalType.Role"/>, <see cref="Arn"/>.</summary>
    public string? RoleArn { get; }

    /// <summary>For IAM users, the user name (the <c>aws:username</c> key).</summary>
    public string? UserName { get; }

    /// <summary>
    /// The unique id of the IAM user (<c>AIDA…</c>) or role (<c>AROA…</c>; for role sessions, the role's) when known; null
    /// otherwise. A policy principal bound to a unique id (<see cref="Compilation.PrincipalBindings"/>) matches only a caller with that id.
    /// </summary>
    public string? UniqueId { get; }

    /// <summary><c>arn:PARTITION:iam::ACCOUNT:root</c>, or null when there is no account.</summary>
    public string? RootArn { get; }

    /// <summary>The anonymous principal.</summary>
    public static PrincipalIdentity Anonymous { get; } = new(PrincipalType.Anonymous, "*", default, null, null);

    /// <summary>A service principal, e.g. <c>logs.amazonaws.com</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static PrincipalIdentity ForService(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return new PrincipalIdentity(PrincipalType.Service, serviceName, default, null, null);
    }

    /// <summary>A federated identity provider (for trust policies).</summary>
    public static PrincipalIdentity ForFederatedProvider(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        return new PrincipalIdentity(PrincipalType.FederatedProvider, provider, default, null, null);
    }

    /// <summary>
    /// Parses a principal ARN: account root, IAM user, IAM role, assumed-role session or federated user.
    /// A role session's role ARN is derived without a path; pass <paramref name="roleArn"/> when the role has a path.
    /// Also accepts <c>*</c> (anonymous) and service names ending in <c>.amazonaws.com</c>. <paramref name="uniqueId"/> is the
    /// user's or role's unique id (for a role session, the role's <c>AROA…</c> id, without the session name); it is kept only
    /// for users, roles and role sessions.
    /// </summary>
    public static bool TryParse(string? text, out PrincipalIdentity principal, string? roleArn = null, string? uniqueId = null)
    {
        principal = null!;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "*")
        {
            principal = Anonymous;
            return true;
        }

        if (!text.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (text.EndsWith(".amazonaws.com", StringComparison.Ordinal) || text.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal))
            {
                principal = ForService(text);
                return true;
            }

            return false;
        }

        if (!Arns.Arn.TryParse(text, out var arn) || !AccountId.TryParse(arn.Account, out var account))
        {
            return false;
        }

        var resource = arn.Resource;
        string partition = arn.Partition.ToString();
        if (arn.Service.SequenceEqual("iam"))
        {
            if (resource.SequenceEqual("root"))
            {
                principal = new PrincipalIdentity(PrincipalType.AccountRoot, text, account, null, null);
                return true;
            }

            if (resource.StartsWith("user/") && resource.Length > 5)
            {
                string name = resource[(resource.LastIndexOf('/') + 1)..].ToString();
                principal = new PrincipalIdentity(PrincipalType.User, text, account, null, name, uniqueId);
                return true;
            }

            if (resource.StartsWith("role/") && resource.Length > 5)
            {
                principal = new PrincipalIdentity(PrincipalType.Role, text, account, text, null, uniqueId);
                return true;
            }

            return false;
        }

        if (arn.Service.SequenceEqual("sts"))
        {
            if (resource.StartsWith("assumed-role/"))
            {
                var rest = resource["assumed-role/".Length..];
                int slash = rest.IndexOf('/');
                if (slash <= 0 || slash == rest.Length - 1)
                {
                    return false;
                }

                string derived = roleArn ?? $"arn:{partition}:iam::{account.Value}:role/{rest[..slash].ToString()}";
                principal = new PrincipalIdentity(PrincipalType.RoleSession, text, account, derived, null, uniqueId);
                return true;
            }

            if (resource.StartsWith("federated-user/") && resource.Length > "federated-user/".Length)
            {
                principal = new PrincipalIdentity(PrincipalType.FederatedUser, text, account, null, null);
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses a principal ARN.</summary>
    /// <exception cref="FormatException">The text is not a supported principal ARN.</exception>
    public static PrincipalIdentity Parse(string text, string? roleArn = null, string? uniqueId = null) =>
        TryParse(text, out var p, roleArn, uniqueId)
            ? p
            : throw new FormatException($"`{text}` is not a principal ARN (expected an account root, user, role, assumed-role or federated-user ARN).");

    /// <summary>
    /// The principal ARN as AWS reports it in <c>aws:PrincipalArn</c>: the role ARN for role sessions.
    /// </summary>
    public string PrincipalArnKeyValue => Type == PrincipalType.RoleSession ? RoleArn! : Arn;

    /// <summary>The value of <c>aws:PrincipalType</c>.</summary>
    public string PrincipalTypeKeyValue => Type switch
    {
        PrincipalType.AccountRoot => "Account",
        PrincipalType.User => "User",
        PrincipalType.Role or PrincipalType.RoleSession => "AssumedRole",
        PrincipalType.FederatedUser => "FederatedUser",
        PrincipalType.Anonymous => "Anonymous",
        _ => "Service",
    };

    private static string PartitionOf(string arn)
    {
        Debug.Assert(arn.StartsWith("arn:", StringComparison.Ordinal));
        int end = arn.IndexOf(':', 4);
        return end > 4 ? arn[4..end] : "aws";
    }

    /// <inheritdoc/>
    public override string ToString() => Arn;
}
