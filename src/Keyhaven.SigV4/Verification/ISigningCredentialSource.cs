namespace Keyhaven.SigV4;

/// <summary>
/// Resolves an access key id to its secret and to whatever the caller wants attached to an authenticated request.
/// Called once per request that gets past parsing; implementations should answer from memory when they can
/// (a synchronously completed <see cref="ValueTask{TResult}"/> keeps verification allocation-free).
/// </summary>
/// <typeparam name="TPrincipal">What the server attaches to an access key (identity, account, ...).</typeparam>
public interface ISigningCredentialSource<TPrincipal>
{
    /// <summary>Returns the credential for <paramref name="accessKeyId"/>, or null if no such key exists or it is inactive.</summary>
    ValueTask<SigningCredential<TPrincipal>?> FindAsync(string accessKeyId, CancellationToken cancellationToken);
}
