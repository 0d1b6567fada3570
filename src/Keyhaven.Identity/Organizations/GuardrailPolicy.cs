namespace Keyhaven.Identity.Organizations;

/// <summary>One SCP or RCP attached at a level: its id, name and JSON text as stored (compile it with the policy engine's cache).</summary>
public sealed record GuardrailPolicy(string Id, string Name, string Document);
