namespace Keyhaven.SigV4;

/// <summary>
/// AWS-style credentials used to sign a request: access key id, secret access key and, for temporary credentials,
/// a session token. <see cref="ToString"/> never prints the secret.
/// </summary>
public sealed class SigV4Credentials
{
    /// <summary>Creates credentials.</summary>
    /// <exception cref="ArgumentException">The access key id or secret is empty, or the key id contains '/'.</exception>
    public SigV4Credentials(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        if (accessKeyId.Contains('/'))
        {
            throw new ArgumentException($"An access key id cannot contain '/'; got `{accessKeyId}`.", nameof(accessKeyId));
        }

        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }

    /// <summary>The public access key id (first component of the credential scope).</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key. Never log it.</summary>
    public string SecretAccessKey { get; }

    /// <summary>Session token for temporary credentials, sent as <c>X-Amz-Security-Token</c>; null if none.</summary>
    public string? SessionToken { get; }

    /// <summary>Returns the access key id only.</summary>
    public override string ToString() => $"SigV4Credentials({AccessKeyId}, secret redacted)";
}
