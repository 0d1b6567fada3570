using Keyhaven.Identity.Principals;

namespace Keyhaven.Identity;

/// <summary>An access key's secret and principal. <see cref="ToString"/> omits the secret.</summary>
public sealed record ResolvedCredential(string SecretAccessKey, IdentityPrincipal Principal)
{
    public override string ToString() => $"ResolvedCredential({Principal.AccessKeyId}, {Principal.Arn})";
}
