namespace Keyhaven.Identity.Policies;

/// <summary>One version (<c>v1</c>, <c>v2</c>, …) of a managed policy; <see cref="Document"/> is the JSON text as given.</summary>
public sealed record ManagedPolicyVersion(string VersionId, string Document, bool IsDefaultVersion, DateTimeOffset CreateDate);
