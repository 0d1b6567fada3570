using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Grants;

/// <summary>
/// CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant, and the grants that apply to a request
/// (<see cref="FindApplicableGrantsAsync"/>). Decides nothing about who may call: authorization is the pipeline's.
/// Thread-safe.
/// </summary>
public sealed partial class GrantManager
{
    /// <summary>AWS KMS quota "Grants per KMS key": 50,000.</summary>
    public const int MaxGrantsPerKey = 50_000;

    /// <summary>ListGrants and ListRetirableGrants: Limit defaults to 50 and is at most 100 (AWS KMS).</summary>
    public const int DefaultListLimit = 50;

    private const int TokenKeyLength = 32;

    private readonly RecordStore _store;
    private readonly GrantRepository _grants;
    private readonly KeyResolver _resolver;
    private readonly KmsEnvironment _environment;
    private readonly int _maxGrantsPerKey;

    public GrantManager(RecordStore store, GrantRepository grants, KeyResolver resolver, KmsEnvironment environment)
        : this(store, grants, resolver, environment, MaxGrantsPerKey)
    {
    }

    /// <param name="maxGrantsPerKey">Tests lower the quota to reach it.</param>
    internal GrantManager(RecordStore store, GrantRepository grants, KeyResolver resolver, KmsEnvironment environment, int maxGrantsPerKey)
    {
        _store = store;
        _grants = grants;
        _resolver = resolver;
        _environment = environment;
        _maxGrantsPerKey = maxGrantsPerKey;
    }

    [GeneratedRegex("^[a-zA-Z0-9:/_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NameSyntax();

    /// <summary>
    /// Creates a grant, or, when <see cref="NewGrantRequest.Name"/> is given and a grant of the key has that name and
    /// identical parameters, returns that grant again with a fresh token (AWS KMS: a retry creates no duplicate).
    /// </summary>
    /// <exception cref="KmsException">
    /// ValidationException (members), InvalidArnException (principals), InvalidGrantTokenException, NotFoundException (key),
    /// DisabledException, KMSInvalidStateException (key pending import or deletion), LimitExceededException (50,000 grants on the key),
    /// DryRunOperationException when <paramref name="dryRun"/> and every check passed.
    /// </exception>
    public async Task<CreatedGrant> CreateAsync(KmsCaller caller, NewGrantRequest request, bool dryRun, CancellationToken cancellationToken)
    {
        // spec: API_CreateGrant.html (request parameters)
        GrantToken.EnsureWellFormed(request.GrantTokens, CryptoOperations.MaxGrantTokens);
        GrantPrincipal.EnsureValid(request.GranteePrincipal, "granteePrincipal");
        if (request.RetiringPrincipal is not null)
        {
            GrantPrincipal.EnsureValid(request.RetiringPrincipal, "retiringPrincipal");
        }

        if (request.Name is not null && (request.Name is not { Length: >= 1 and <= 256 } || !NameSyntax().IsMatch(request.Name)))
        {
            KmsErrors.Validation("name", "Member must have length between 1 and 256 and satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
        }

        var operations = GrantOperations.Parse(request.Operations);
        var constraints = GrantConstraints.From(request.EncryptionContextEquals, request.EncryptionContextSubset);
        GrantOperations.EnsureFitConstraints(operations, constraints);
        var key = await _resolver.ResolveAsync(caller, request.KeyId, allowAlias: false, cancellationToken);
        GrantOperations.EnsureFitKey(key, operations);
        GrantOperations.EnsureConstraintsFitKey(key, constraints);
        // AWS's key-state table: CreateGrant needs an Enabled key (Disabled: DisabledException; pending import or
        // deletion: KMSInvalidStateException).
        KeyStateRules.EnsureUsable(key);
        var candidate = new Grant
        {
            Id = GrantId.From(_environment.RandomBytes(GrantId.ByteLength)),
            Account = key.Account,
            Region = key.Region,
            KeyId = key.Id,
            Name = request.Name,
            CreatedAt = _environment.Now,
            GranteePrincipal = request.GranteePrincipal!,
            RetiringPrincipal = request.RetiringPrincipal,
            Operations = operations,
            Constraints = constraints,
            TokenKey = _environment.RandomBytes(TokenKeyLength),
        };
        var grant = await _store.WriteAsync(async transaction =>
        {
            // Re-check the key inside the transaction: it may have been disabled, scheduled for deletion or deleted meanwhile.
            var stored = await KeyRepository.ReadAsync(transaction, KeyRepository.StorageKeyFor(key.Account, key.Region, key.Id), cancellationToken)
                ?? KmsErrors.Throw<KmsKey>(KmsErrorCode.NotFoundException, $"Key `{key.Arn}` does not exist.");
            KeyStateRules.EnsureUsable(stored);
            var existing = await GrantRepository.ListForKeyAsync(transaction, key.Account, key.Region, key.Id, cancellationToken);
            var retried = existing.FirstOrDefault(g =>
                g.HasSameParameters(request.Name, candidate.GranteePrincipal, candidate.RetiringPrincipal, operations, constraints));
            // A dry run answers as the real call would: success for a retry or a grant within the limit (nothing is
            // written: the exception ends the transaction), the limit's error otherwise.
            if (retried is not null)
            {
                return dryRun ? DryRun<Grant>() : retried;
            }

            if (existing.Length >= _maxGrantsPerKey)
            {
                KmsErrors.Throw(KmsErrorCode.LimitExceededException,
                    $"Key `{key.Arn}` already has {existing.Length} grants, the most a KMS key may have ({_maxGrantsPerKey}).");
            }

            if (dryRun)
            {
                DryRun();
            }

            await GrantRepository.PutAsync(transaction, candidate, cancellationToken);
            return candidate with { StoreVersion = 1 };
        }, cancellationToken);
        _grants.Forget(key.Account, key.Region, key.Id);
        return new CreatedGrant(grant, GrantToken.Create(grant, _environment.Random));
    }

    /// <summary>
    /// ListGrants: the grants of one key (id or ARN; works on keys pending deletion), optionally only one grant id or
    /// one grantee, in grant-id order. The marker is the last grant id of the previous page.
    /// </summary>
    /// <exception cref="KmsException">NotFoundException (key), InvalidGrantIdException, InvalidMarkerException, ValidationException.</exception>
    public async Task<Page<Grant>> ListAsync(KmsCaller caller, string? keyId, int limit, string? marker, string? grantId, string? granteePrincipal,
        CancellationToken cancellationToken)
    {
        EnsureLimit(limit);
        if (marker is not null && !GrantId.TryParse(marker, out _))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        GrantId? onlyId = grantId is null ? null : ParseGrantId(grantId);
        if (granteePrincipal is not null)
        {
            GrantPrincipal.EnsureSyntax(granteePrincipal, "granteePrincipal");
        }

        var key = await _resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        var matching = (await _grants.ListForKeyAsync(key, cancellationToken))
            .Where(g => (onlyId is null || g.Id == onlyId) && (granteePrincipal is null || g.GranteePrincipal == granteePrincipal))
            .Where(g => marker is null || string.CompareOrdinal(g.Id.Value, marker) > 0)
            .Take(limit + 1)
            .ToList();
        return matching.Count > limit
            ? new Page<Grant>(matching[..limit], matching[limit - 1].Id.Value)
            : new Page<Grant>(matching, null);
    }

    /// <summary>
    /// ListRetirableGrants: the grants of every key in the caller's account and region whose retiring principal is
    /// <paramref name="retiringPrincipal"/>. The marker is <c>{keyId}/{grantId}</c> of the last grant listed.
    /// </summary>
    public async Task<Page<Grant>> ListRetirableAsync(KmsCaller caller, string? retiringPrincipal, int limit, string? marker,
        CancellationToken cancellationToken)
    {
        EnsureLimit(limit);
        GrantPrincipal.EnsureSyntax(retiringPrincipal, "retiringPrincipal");
        if (marker is not null && (marker.Split('/') is not [var k, var g] || !KeyId.TryParse(k, out _) || !GrantId.TryParse(g, out _)))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        var items = new List<Grant>();
        var after = marker;
        while (true)
        {
            var batch = await _grants.ListRegionAsync(caller.Account, caller.Region, after, cancellationToken);
            foreach (var grant in batch)
            {
                if (string.Equals(grant.RetiringPrincipal, retiringPrincipal, StringComparison.Ordinal))
                {
                    items.Add(grant);
                    if (items.Count > limit)
                    {
                        var last = items[limit - 1];
                        return new Page<Grant>(items[..limit], $"{last.KeyId}/{last.Id}");
                    }
                }
            }

            if (batch.Count < GrantRepository.Batch)
            {
                return new Page<Grant>(items, null);
            }

            after = $"{batch[^1].KeyId}/{batch[^1].Id}";
        }
    }

    /// <summary>
    /// RetireGrant: by <paramref name="grantToken"/>, or by <paramref name="keyArn"/> (a key ARN, as AWS documents) and
    /// <paramref name="grantId"/>. When both forms are given they must name the same grant.
    /// </summary>
    /// <exception cref="KmsException">
    /// ValidationException (neither form), InvalidGrantTokenException (malformed or not authentic), InvalidArnException,
    /// InvalidGrantIdException, NotFoundException (key or grant), DryRunOperationException.
    /// </exception>
    public async Task RetireAsync(KmsCaller caller, string? grantToken, string? keyArn, string? grantId, bool dryRun, CancellationToken cancellationToken)
    {
        // spec: API_RetireGrant.html ("identify the grant to retire by its grant token, or by both the grant ID and a key identifier")
        GrantToken? token = grantToken is null ? null : GrantToken.Parse(grantToken, "grantToken");
        if (token is null && (keyArn is null || grantId is null))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "Identify the grant to retire by GrantToken, or by KeyId (a key ARN) and GrantId.");
        }

        GrantId? id = grantId is null ? null : ParseGrantId(grantId);
        if (keyArn is not null && !keyArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidArnException, $"KeyId `{keyArn}` must be a key ARN to identify the grant to retire.");
        }

        if (token is { } t && ((id is not null && id != t.GrantId) || (keyArn is not null && keyArn != t.KeyArn)))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "The GrantToken names another grant than KeyId and GrantId.");
        }

        var key = await _resolver.ResolveAsync(caller, keyArn ?? token!.Value.KeyArn, allowAlias: false, cancellationToken);
        await DeleteGrantAsync(key, id ?? token!.Value.GrantId, token, dryRun, cancellationToken);
    }

    /// <summary>RevokeGrant: deletes a grant of a key (id or ARN) by its id.</summary>
    /// <exception cref="KmsException">ValidationException, InvalidGrantIdException, NotFoundException (key or grant), DryRunOperationException.</exception>
    public async Task RevokeAsync(KmsCaller caller, string? keyId, string? grantId, bool dryRun, CancellationToken cancellationToken)
    {
        if (grantId is null)
        {
            KmsErrors.Validation("grantId", "Member must not be null");
        }

        var id = ParseGrantId(grantId);
        var key = await _resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        await DeleteGrantAsync(key, id, null, dryRun, cancellationToken);
    }

    /// <summary>
    /// The grants that apply to a request on <paramref name="key"/>: the key's stored grants, and the grants named
    /// by valid <paramref name="grantTokens"/> (AWS's way to use a grant before it is consistent everywhere; here
    /// grants are consistent at once, so a valid token for this key names a stored grant). Tokens for another key,
    /// or for a grant since retired or revoked, add nothing. Plain data, for the authorization step.
    /// </summary>
    /// <exception cref="KmsException">
    /// ValidationException (more than 10 tokens) or InvalidGrantTokenException: a token is malformed, or names a grant of
    /// this key but was not made for it (forged or altered).
    /// </exception>
    public async ValueTask<IReadOnlyList<Grant>> FindApplicableGrantsAsync(KmsKey key, IReadOnlyList<string>? grantTokens, CancellationToken cancellationToken)
    {
        GrantToken.EnsureWellFormed(grantTokens, CryptoOperations.MaxGrantTokens);
        var stored = await _grants.ListForKeyAsync(key, cancellationToken);
        if (grantTokens is null)
        {
            return stored;
        }

        foreach (var text in grantTokens)
        {
            var token = GrantToken.Parse(text, "grantTokens");
            if (!string.Equals(token.KeyArn, key.Arn, StringComparison.Ordinal))
            {
                continue;
            }

            var named = stored.FirstOrDefault(g => g.Id == token.GrantId);
            if (named is not null && !token.IsAuthenticFor(named))
            {
                KmsErrors.Throw(KmsErrorCode.InvalidGrantTokenException, "The grant token is not valid.");
            }
        }

        return stored;
    }

    private async Task DeleteGrantAsync(KmsKey key, GrantId grantId, GrantToken? token, bool dryRun, CancellationToken cancellationToken)
    {
        await _store.WriteAsync(async transaction =>
        {
            var grant = await GrantRepository.ReadAsync(transaction, key.Account, key.Region, key.Id, grantId, cancellationToken)
                ?? KmsErrors.Throw<Grant>(KmsErrorCode.NotFoundException, $"Grant `{grantId}` of key `{key.Arn}` does not exist.");
            if (token is { } t && !t.IsAuthenticFor(grant))
            {
                KmsErrors.Throw(KmsErrorCode.InvalidGrantTokenException, "The grant token is not valid.");
            }

            if (dryRun)
            {
                DryRun();
            }

            await GrantRepository.DeleteAsync(transaction, grant, cancellationToken);
            return true;
        }, cancellationToken);
        _grants.Forget(key.Account, key.Region, key.Id);
    }

    private static GrantId ParseGrantId(string grantId)
    {
        if (grantId is not { Length: >= 1 and <= 128 })
        {
            KmsErrors.Validation("grantId", "Member must have length between 1 and 128");
        }

        return GrantId.TryParse(grantId, out var id)
            ? id
            : KmsErrors.Throw<GrantId>(KmsErrorCode.InvalidGrantIdException, $"Grant id `{grantId}` is not valid: grant ids are 64 lowercase hex characters.");
    }

    private static void EnsureLimit(int limit)
    {
        if (limit is < 1 or > 100)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100");
        }
    }

    private static void DryRun() => DryRun<object>();

    private static T DryRun<T>() =>
        KmsErrors.Throw<T>(KmsErrorCode.DryRunOperationException, "The request would have succeeded, but the DryRun flag is set.");
}
