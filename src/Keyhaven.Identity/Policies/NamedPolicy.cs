namespace Keyhaven.Identity.Policies;

/// <summary>A policy document (JSON text as stored) and its name (inline policy name, or an ARN).</summary>
public sealed record NamedPolicy(string Name, string Document);
