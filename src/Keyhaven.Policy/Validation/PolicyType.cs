namespace Keyhaven.Policy.Validation;

/// <summary>The kind of policy being validated; rules differ (e.g. only resource-based policies take a principal).</summary>
public enum PolicyType
{
    /// <summary>An identity-based policy (user, group, role; also boundaries and session policies).</summary>
    Identity,

    /// <summary>A resource-based policy (a KMS key policy, a bucket policy...).</summary>
    Resource,

    /// <summary>A service control policy.</summary>
    ServiceControl,

    /// <summary>A resource control policy.</summary>
    ResourceControl,

    /// <summary>A role trust policy.</summary>
    Trust,
}
