namespace Keyhaven.Identity.Users;

/// <summary>A newly created access key with its secret, returned once. <see cref="ToString"/> omits the secret.</summary>
public sealed record NewAccessKey(AccessKeyMetadata Metadata, string SecretAccessKey)
{
    public override string ToString() => $"NewAccessKey({Metadata.AccessKeyId}, {Metadata.UserName})";
}
