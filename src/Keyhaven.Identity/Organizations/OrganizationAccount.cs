namespace Keyhaven.Identity.Organizations;

/// <summary>A member account (or the management account). Every account is <c>ACTIVE</c>.</summary>
public sealed record OrganizationAccount(string Id, string Arn, string Email, string Name, string ParentId, bool Created, DateTimeOffset JoinedTimestamp);
