namespace Keyhaven.Identity.Inventory;

/// <summary>Where an identity-side policy document is stored.</summary>
public enum StoredPolicyKind
{
    /// <summary>An inline policy of a user.</summary>
    UserInline,

    /// <summary>An inline policy of a group.</summary>
    GroupInline,

    /// <summary>An inline policy of a role.</summary>
    RoleInline,

    /// <summary>The default version of a customer managed policy.</summary>
    Managed,

    /// <summary>A role's trust policy.</summary>
    Trust,
}
