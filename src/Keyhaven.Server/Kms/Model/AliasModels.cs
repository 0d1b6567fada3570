// Wire shapes of the alias operations (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record AliasRequest(string? AliasName, string? TargetKeyId);

internal sealed record ListAliasesRequest(string? KeyId, int? Limit, string? Marker);

internal sealed record AliasListEntry(string AliasName, string AliasArn, string TargetKeyId, DateTimeOffset CreationDate, DateTimeOffset LastUpdatedDate);

internal sealed record ListAliasesResponse(List<AliasListEntry> Aliases, string? NextMarker, bool Truncated);
