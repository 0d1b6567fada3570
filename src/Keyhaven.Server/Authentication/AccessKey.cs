namespace Keyhaven.Server.Authentication;

/// <summary>A long-term access key (<c>AKIA…</c>) and its secret. The secret is never logged; <see cref="ToString"/> omits it.</summary>
public sealed record AccessKey(string AccessKeyId, string SecretAccessKey, CallerIdentity Identity, DateTimeOffset CreatedAt)
{
    public override string ToString() => $"AccessKey({AccessKeyId}, {Identity.Arn})";
}
