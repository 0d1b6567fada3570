namespace Keyhaven.Identity.Policies;

/// <summary>A customer managed policy as IAM reports it (without its documents; see <see cref="ManagedPolicyVersion"/>).</summary>
/// <param name="AttachmentCount">How many users, groups and roles it is attached to.</param>
public sealed record ManagedPolicy(string PolicyName, string PolicyId, string Arn, string Path, string DefaultVersionId,
    int AttachmentCount, string? Description, DateTimeOffset CreateDate, DateTimeOffset UpdateDate);
