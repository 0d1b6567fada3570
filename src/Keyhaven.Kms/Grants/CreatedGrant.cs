namespace Keyhaven.Kms.Grants;

/// <summary>What CreateGrant returns: the grant (new, or the existing one for a retried Name) and a fresh token for it.</summary>
public sealed record CreatedGrant(Grant Grant, string GrantToken);
