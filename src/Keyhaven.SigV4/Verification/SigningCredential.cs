namespace Keyhaven.SigV4;

/// <summary>
/// A resolved access key: its secret (used only to derive signing keys) and the caller's principal.
/// <see cref="ToString"/> never prints the secret.
/// </summary>
/// <typeparam name="TPrincipal">Caller-defined principal type.</typeparam>
public sealed class SigningCredential<TPrincipal>
{
    /// <summary>Creates a credential.</summary>
    /// <exception cref="ArgumentException"><paramref name="secretAccessKey"/> is empty.</exception>
    public SigningCredential(string secretAccessKey, TPrincipal principal)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        SecretAccessKey = secretAccessKey;
        Principal = principal;
    }

    /// <summary>The secret access key. Never log it.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The principal the key belongs to.</summary>
    public TPrincipal Principal { get; }

    /// <summary>Describes the principal only.</summary>
    public override string ToString() => $"SigningCredential({Principal}, secret redacted)";
}
