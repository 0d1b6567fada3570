namespace Keyhaven.Identity.Policies;

/// <summary>A managed policy attached to a user, group or role, as IAM lists it.</summary>
public sealed record AttachedPolicy(string PolicyName, string PolicyArn);
