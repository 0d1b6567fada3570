namespace Keyhaven.Identity.Organizations;

/// <summary>Something a policy attaches to: the root (<c>ROOT</c>), an OU (<c>ORGANIZATIONAL_UNIT</c>) or an account (<c>ACCOUNT</c>).</summary>
public sealed record PolicyTarget(string TargetId, string Arn, string Name, string Type);
