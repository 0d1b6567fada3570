namespace Keyhaven.SigV4;

/// <summary>What a successful verification established about the request.</summary>
/// <typeparam name="TPrincipal">Caller-defined principal type.</typeparam>
/// <param name="AccessKeyId">The access key id that signed the request.</param>
/// <param name="Scope">The verified credential scope (its region is the region the client targeted).</param>
/// <param name="RequestTime">The signed request time (X-Amz-Date, or Date).</param>
/// <param name="Credential">The credential the source returned for the key.</param>
/// <param name="SessionToken">The <c>X-Amz-Security-Token</c> value if present (not validated here: the caller must check it belongs to the key).</param>
/// <param name="IsPresigned">True when the signature came from query parameters.</param>
public readonly record struct SigV4Authentication<TPrincipal>(
    string AccessKeyId,
    CredentialScope Scope,
    DateTimeOffset RequestTime,
    SigningCredential<TPrincipal> Credential,
    string? SessionToken,
    bool IsPresigned)
{
    /// <summary>The principal of <see cref="Credential"/>.</summary>
    public TPrincipal Principal => Credential.Principal;
}
