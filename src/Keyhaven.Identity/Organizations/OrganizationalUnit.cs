namespace Keyhaven.Identity.Organizations;

/// <summary>An organizational unit (<c>ou-ROOTSUFFIX-8chars</c>) and its parent (the root or another OU).</summary>
public sealed record OrganizationalUnit(string Id, string Arn, string Name, string ParentId);
