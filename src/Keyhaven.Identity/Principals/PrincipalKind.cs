namespace Keyhaven.Identity.Principals;

/// <summary>What kind of principal signed a request.</summary>
public enum PrincipalKind
{
    /// <summary>The account root user (the deployment's bootstrap key).</summary>
    Root,

    /// <summary>An IAM user (long-term key, or a GetSessionToken session of the user).</summary>
    User,

    /// <summary>A role session made by AssumeRole.</summary>
    AssumedRole,
}
