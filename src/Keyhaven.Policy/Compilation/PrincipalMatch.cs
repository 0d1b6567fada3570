namespace Keyhaven.Policy.Compilation;

/// <summary>How a statement's <c>Principal</c> matched the caller; decides which other layers must also allow.</summary>
internal enum PrincipalMatch : byte
{
    /// <summary>Not matched.</summary>
    None,

    /// <summary>Matched through the caller's account (an account id or <c>:root</c> ARN): the account delegates to its IAM policies.</summary>
    Account,

    /// <summary>A role ARN matched one of the role's sessions: boundaries and session policies still limit.</summary>
    RoleArn,

    /// <summary><c>"*"</c> or <c>{"AWS": "*"}</c>.</summary>
    Wildcard,

    /// <summary>The caller's own ARN (user, session, federated user, root), service or provider.</summary>
    Exact,
}
