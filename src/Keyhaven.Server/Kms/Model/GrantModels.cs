// Wire shapes of the grant operations (kms-2014-11-01: CreateGrantRequest, GrantListEntry, GrantConstraints, …).
namespace Keyhaven.Server.Kms.Model;

internal sealed record GrantConstraintsModel(Dictionary<string, string>? EncryptionContextSubset, Dictionary<string, string>? EncryptionContextEquals,
    string? SourceArn);

internal sealed record CreateGrantRequest(string? KeyId, string? GranteePrincipal, string? RetiringPrincipal, List<string>? Operations,
    GrantConstraintsModel? Constraints, List<string>? GrantTokens, string? Name, bool? DryRun, string? GranteeServicePrincipal,
    string? RetiringServicePrincipal);

internal sealed record CreateGrantResponse(string GrantToken, string GrantId);

internal sealed record ListGrantsRequest(int? Limit, string? Marker, string? KeyId, string? GrantId, string? GranteePrincipal, string? GranteeServicePrincipal);

internal sealed record ListRetirableGrantsRequest(int? Limit, string? Marker, string? RetiringPrincipal, string? RetiringServicePrincipal);

internal sealed record GrantListEntry(string KeyId, string GrantId, string? Name, DateTimeOffset CreationDate, string GranteePrincipal,
    string? RetiringPrincipal, string IssuingAccount, List<string> Operations, GrantConstraintsModel? Constraints);

internal sealed record ListGrantsResponse(List<GrantListEntry> Grants, string? NextMarker, bool Truncated);

internal sealed record RetireGrantRequest(string? GrantToken, string? KeyId, string? GrantId, bool? DryRun);

internal sealed record RevokeGrantRequest(string? KeyId, string? GrantId, bool? DryRun);
