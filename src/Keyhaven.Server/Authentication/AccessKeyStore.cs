using Keyhaven.Identity;
using Keyhaven.Identity.Principals;
using Keyhaven.SigV4;
using Keyhaven.Storage.Records;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// The SigV4 verifier's source of secrets: resolves the bootstrap root key, IAM users' Active keys and STS session keys
/// through the <see cref="IdentityStore"/> (sealed in storage like every record) and caches each credential in memory
/// until it is deactivated or deleted (here, or on another node sharing the storage). A session's token and expiry are checked after the signature, by
/// <see cref="SessionCredentialCheck"/>. Thread-safe.
/// </summary>
public sealed class AccessKeyStore : ISigningCredentialSource<CallerIdentity>
{
    private readonly RecordCache<SigningCredential<CallerIdentity>> _cache;

    public AccessKeyStore(RecordStore store)
        : this(new IdentityStore(store))
    {
    }

    public AccessKeyStore(IdentityStore identity)
    {
        Identity = identity;
        _cache = new(identity.Changes);
        identity.CredentialRevoked += _cache.Invalidate;
    }

    /// <summary>The identity store behind the keys (users, roles, sessions).</summary>
    public IdentityStore Identity { get; }

    public async ValueTask<SigningCredential<CallerIdentity>?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(accessKeyId, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        if (await Identity.FindCredentialAsync(accessKeyId, cancellationToken) is not { } resolved)
        {
            return null;
        }

        var credential = new SigningCredential<CallerIdentity>(resolved.SecretAccessKey, new CallerIdentity(resolved.Principal));
        _cache.Populate(accessKeyId, credential, generation);
        return credential;
    }

    /// <summary>Creates the account root's access key (the bootstrap credentials): <c>AKIA</c> and 16 base32 characters, and a 40-character secret.</summary>
    /// <exception cref="ArgumentException"><paramref name="identity"/> is not an account root.</exception>
    public async Task<AccessKey> CreateAsync(CallerIdentity identity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (identity.Type != PrincipalKind.Root)
        {
            throw new ArgumentException("Only the account root's key is created here; IAM users' keys come from CreateAccessKey.", nameof(identity));
        }

        var key = await Identity.CreateRootAccessKeyAsync(Keyhaven.Policy.Arns.AccountId.Parse(identity.Account.Value), now, cancellationToken);
        return new AccessKey(key.Metadata.AccessKeyId, key.SecretAccessKey, identity, now);
    }
}
