namespace Keyhaven.Kms.Grants;

/// <summary>The members of a CreateGrant request, as received (checked by <see cref="GrantManager.CreateAsync"/>).</summary>
public sealed record NewGrantRequest(
    string? KeyId,
    string? GranteePrincipal,
    string? RetiringPrincipal,
    IReadOnlyList<string>? Operations,
    IReadOnlyDictionary<string, string>? EncryptionContextEquals = null,
    IReadOnlyDictionary<string, string>? EncryptionContextSubset = null,
    IReadOnlyList<string>? GrantTokens = null,
    string? Name = null);
