namespace Keyhaven.Identity.Sessions;

/// <summary>The result of AssumeRole: the credentials and the session principal (<c>AROA…:SESSION</c>, assumed-role ARN).</summary>
public sealed record AssumedRole(SessionCredentials Credentials, string AssumedRoleId, string Arn, int? PackedPolicySize);
