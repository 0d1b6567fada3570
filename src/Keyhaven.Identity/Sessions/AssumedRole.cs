namespace Keyhaven.Identity.Sessions;

/// <summary>
/// The result of AssumeRole: the credentials, the session principal (<c>AROA…:SESSION</c>, assumed-role ARN), the
/// share of the packed budget its session policies and tags use (null when it has none) and its source identity.
/// </summary>
public sealed record AssumedRole(SessionCredentials Credentials, string AssumedRoleId, string Arn, int? PackedPolicySize, string? SourceIdentity);
