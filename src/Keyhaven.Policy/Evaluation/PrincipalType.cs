namespace Keyhaven.Policy.Evaluation;

/// <summary>What kind of principal made the request; decides how resource-policy allows combine with boundaries and session policies.</summary>
public enum PrincipalType
{
    /// <summary>The account root user (<c>arn:aws:iam::ACCOUNT:root</c>).</summary>
    AccountRoot,

    /// <summary>An IAM user (<c>arn:aws:iam::ACCOUNT:user/...</c>).</summary>
    User,

    /// <summary>An IAM role addressed by its role ARN (<c>arn:aws:iam::ACCOUNT:role/...</c>).</summary>
    Role,

    /// <summary>An assumed-role session (<c>arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION</c>).</summary>
    RoleSession,

    /// <summary>A federated user session (<c>arn:aws:sts::ACCOUNT:federated-user/NAME</c>).</summary>
    FederatedUser,

    /// <summary>An AWS service principal (<c>logs.amazonaws.com</c>).</summary>
    Service,

    /// <summary>A web identity or SAML provider (for trust-policy simulation).</summary>
    FederatedProvider,

    /// <summary>An unauthenticated caller.</summary>
    Anonymous,
}
