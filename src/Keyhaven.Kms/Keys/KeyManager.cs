using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Policies;
using Keyhaven.Kms.Tags;

namespace Keyhaven.Kms.Keys;

/// <summary>Creates keys and runs their lifecycle: describe, list, enable, disable, description, deletion schedule.</summary>
public sealed class KeyManager(KeyRepository keys, KeyResolver resolver, KmsEnvironment environment, IKeyPolicyPrincipals policyPrincipals)
{
    public const int MinPendingWindowInDays = 7;
    public const int MaxPendingWindowInDays = 30;
    public const int MaxDescriptionLength = 8192;

    public async Task<KmsKey> CreateAsync(KmsCaller caller, NewKeyRequest request, CancellationToken cancellationToken)
    {
        var description = request.Description ?? string.Empty;
        if (description.Length > MaxDescriptionLength)
        {
            KmsErrors.Validation("description", $"Member must have length less than or equal to {MaxDescriptionLength}");
        }

        // INVARIANT: the protocol layer checked the spec/usage pair; a bad pair here is a bug, not user input.
        System.Diagnostics.Debug.Assert(KeySpecRules.Usages(request.Spec).Contains(request.Usage));
        var policy = request.Policy ?? KeyPolicyDocument.Default(caller.Account);
        KeyPolicyDocument.Validate(policy);
        var principalIds = await policyPrincipals.BindAsync(caller.Account, policy, cancellationToken);
        var tags = request.Tags ?? [];
        if (request.MultiRegion && request.Origin != KeyOrigin.AwsKms)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, "Keyhaven makes multi-Region keys only with KMS-made key material (Origin AWS_KMS).");
        }

        var now = environment.Now;
        var key = new KmsKey
        {
            Id = request.MultiRegion ? KeyId.NewMultiRegion(environment.NewGuid()) : KeyId.New(environment.NewGuid()),
            Account = caller.Account,
            Region = caller.Region,
            CreatedAt = now,
            Description = description,
            Policy = policy,
            PolicyPrincipalIds = principalIds,
            Spec = request.Spec,
            Usage = request.Usage,
            Origin = request.Origin,
            State = request.Origin == KeyOrigin.External ? KeyState.PendingImport : KeyState.Enabled,
            Versions = request.Origin == KeyOrigin.External ? []
                : [new KeyMaterialVersion(1, Convert.ToHexStringLower(environment.RandomBytes(32)), now, RotationType.Initial, NewMaterial(request.Spec, environment))],
            MultiRegion = request.MultiRegion ? new MultiRegion.MultiRegionConfiguration(caller.Region, []) : null,
        };
        key = TagRules.Apply(key, tags);
        await keys.CreateAsync(key, cancellationToken);
        return key;
    }

    public ValueTask<KmsKey> DescribeAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);

    /// <exception cref="KmsException">InvalidMarkerException when <paramref name="marker"/> did not come from a previous page.</exception>
    public async Task<Page<KmsKey>> ListAsync(KmsCaller caller, int limit, string? marker, CancellationToken cancellationToken)
    {
        if (marker is not null && !KeyId.TryParse(marker, out _))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        var page = await keys.ListAsync(caller.Account, caller.Region, marker, limit + 1, cancellationToken);
        return page.Count > limit ? new Page<KmsKey>(page.Take(limit).ToList(), page[limit - 1].Id.Value) : new Page<KmsKey>(page, null);
    }

    public Task<KmsKey> EnableAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            KeyStateRules.EnsureHasMaterial(key);
            return key with { State = KeyState.Enabled };
        }, cancellationToken);

    public Task<KmsKey> DisableAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            KeyStateRules.EnsureHasMaterial(key);
            return key with { State = KeyState.Disabled };
        }, cancellationToken);

    public Task<KmsKey> UpdateDescriptionAsync(KmsCaller caller, string? keyId, string description, CancellationToken cancellationToken)
    {
        if (description.Length > MaxDescriptionLength)
        {
            KmsErrors.Validation("description", $"Member must have length less than or equal to {MaxDescriptionLength}");
        }

        return ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            return key with { Description = description };
        }, cancellationToken);
    }

    /// <summary>
    /// Schedules deletion after 7–30 days (default 30); the key is unusable meanwhile and can be restored with
    /// <see cref="CancelDeletionAsync"/>. A multi-Region primary key that still has replicas goes to
    /// PendingReplicaDeletion instead, without a deletion date: its waiting period starts when its last replica is deleted.
    /// </summary>
    public Task<KmsKey> ScheduleDeletionAsync(KmsCaller caller, string? keyId, int? pendingWindowInDays, CancellationToken cancellationToken)
    {
        var days = pendingWindowInDays ?? MaxPendingWindowInDays;
        if (days is < MinPendingWindowInDays or > MaxPendingWindowInDays)
        {
            KmsErrors.Validation("pendingWindowInDays", $"Member must have value between {MinPendingWindowInDays} and {MaxPendingWindowInDays}");
        }

        return ChangeAsync(caller, keyId, key =>
        {
            KeyStateRules.EnsureNotPendingDeletion(key);
            return key.IsMultiRegionPrimaryWithReplicas
                ? key with { State = KeyState.PendingReplicaDeletion, PendingWindowInDays = days, DeletionDate = null }
                : key with { State = KeyState.PendingDeletion, PendingWindowInDays = days, DeletionDate = environment.Now.AddDays(days) };
        }, cancellationToken);
    }

    /// <summary>Cancels a scheduled deletion; as in AWS KMS the key comes back Disabled (PendingImport when it has no material).</summary>
    public Task<KmsKey> CancelDeletionAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        ChangeAsync(caller, keyId, key =>
        {
            if (key.State is not (KeyState.PendingDeletion or KeyState.PendingReplicaDeletion))
            {
                KmsErrors.Throw(KmsErrorCode.KMSInvalidStateException, $"{key.Arn} is not pending deletion.");
            }

            // An EXTERNAL key without material goes back to waiting for it.
            var state = key.Versions.IsEmpty ? KeyState.PendingImport : KeyState.Disabled;
            return key with { State = state, DeletionDate = null, PendingWindowInDays = null };
        }, cancellationToken);

    /// <summary>Resolves a key by id or ARN (not alias) and applies a change to its stored record.</summary>
    public async Task<KmsKey> ChangeAsync(KmsCaller caller, string? keyId, Func<KmsKey, KmsKey> change, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        return await keys.UpdateAsync(key, change, cancellationToken);
    }

    /// <summary>
    /// New key material for <paramref name="spec"/>: 256 random bits for symmetric keys, as many random bits as the
    /// HMAC spec names, or a private key (<see cref="Asymmetric.KeyPairs"/>).
    /// </summary>
    internal static byte[] NewMaterial(KeySpec spec, KmsEnvironment environment) => spec switch
    {
        KeySpec.SymmetricDefault => environment.RandomBytes(32),
        KeySpec.Hmac224 => environment.RandomBytes(28),
        KeySpec.Hmac256 => environment.RandomBytes(32),
        KeySpec.Hmac384 => environment.RandomBytes(48),
        KeySpec.Hmac512 => environment.RandomBytes(64),
        _ => Asymmetric.KeyPairs.Generate(spec),
    };

    /// <summary>Fresh 256-bit material for a symmetric key version, with a random KeyMaterialId.</summary>
    internal static KeyMaterialVersion NewVersion(uint ordinal, DateTimeOffset now, RotationType type, KmsEnvironment environment) =>
        new(ordinal, Convert.ToHexStringLower(environment.RandomBytes(32)), now, type, environment.RandomBytes(32));
}
