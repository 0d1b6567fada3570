namespace Keyhaven.Identity.Sessions;

/// <summary>Temporary credentials returned by AssumeRole or GetSessionToken. <see cref="ToString"/> omits the secrets.</summary>
public sealed record SessionCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration)
{
    public override string ToString() => $"SessionCredentials({AccessKeyId}, expires {Expiration:O})";
}
