namespace Keyhaven.Identity.Inventory;

/// <summary>One stored identity-side policy document.</summary>
/// <param name="Account">The account that owns it.</param>
/// <param name="Owner">The ARN of the user, group or role it is inline in (or whose trust policy it is), or the managed policy's ARN.</param>
/// <param name="Name">The inline policy's name, the managed policy's name, or <c>trust-policy</c>.</param>
/// <param name="Kind">Where it is stored.</param>
/// <param name="Document">The JSON text as stored.</param>
public sealed record StoredPolicy(string Account, string Owner, string Name, StoredPolicyKind Kind, string Document);
