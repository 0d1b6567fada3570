using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Policies;
using Keyhaven.Kms.Tags;

namespace Keyhaven.Kms.MultiRegion;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion. A replica is a key of its own in its region (own policy, tags, aliases, grants,
/// description and state) with the primary's key id and shared properties (<see cref="SharedProperties"/>); the records
/// of all related keys change together in one transaction. Unlike AWS, a new replica is Enabled at once (no transient
/// Creating state) and a primary change is complete when the call returns (no transient Updating state). Thread-safe.
/// </summary>
/// <param name="servedRegions">The regions this deployment serves; a replica can only go to one of them. Null: any region.</param>
public sealed class MultiRegionKeyManager(KeyRepository keys, KeyResolver resolver, KmsEnvironment environment, IReadOnlySet<string>? servedRegions,
    IKeyPolicyPrincipals policyPrincipals)
{
    /// <summary>Makes a replica of the multi-Region primary key <paramref name="keyId"/> in <paramref name="replicaRegion"/>.</summary>
    /// <exception cref="KmsException">
    /// ValidationException for a malformed region; UnsupportedOperationException for a regional key, a replica, or a region
    /// this deployment does not serve; AlreadyExistsException when the region already holds a related key;
    /// DisabledException or KMSInvalidStateException when the primary is not enabled.
    /// </exception>
    public async Task<KmsKey> ReplicateAsync(KmsCaller caller, string? keyId, string? replicaRegion, NewReplicaRequest request, CancellationToken cancellationToken)
    {
        var region = ValidateRegion(replicaRegion, "replicaRegion");
        var description = request.Description ?? string.Empty;
        if (description.Length > KeyManager.MaxDescriptionLength)
        {
            KmsErrors.Validation("description", $"Member must have length less than or equal to {KeyManager.MaxDescriptionLength}");
        }

        var policy = request.Policy ?? KeyPolicyDocument.Default(caller.Account);
        KeyPolicyDocument.Validate(policy);
        var principalIds = await policyPrincipals.BindAsync(caller.Account, policy, cancellationToken);
        var tags = request.Tags ?? [];
        TagRules.Validate(tags);

        var primary = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        EnsurePrimary(primary);
        return await keys.UpdateAsync(primary, stored =>
        {
            EnsurePrimary(stored);
            EnsureUsable(stored);
            if (stored.MultiRegion!.Contains(region))
            {
                KmsErrors.Throw(KmsErrorCode.AlreadyExistsException, $"{stored.Arn} already has a related multi-Region key in `{region}`.");
            }

            return stored with { MultiRegion = stored.MultiRegion.WithReplica(region) };
        }, changed => TagRules.Apply(new KmsKey
        {
            Id = changed.Id,
            Account = changed.Account,
            Region = region,
            CreatedAt = environment.Now,
            Description = description,
            Policy = policy,
            PolicyPrincipalIds = principalIds,
            Spec = changed.Spec,
            Usage = changed.Usage,
            Origin = changed.Origin,
            State = KeyState.Enabled,
            Versions = SharedProperties.CopyOf(changed.Versions),
            RotationPeriodInDays = changed.RotationPeriodInDays,
            NextRotationDate = changed.NextRotationDate,
            OnDemandRotationStartDate = changed.OnDemandRotationStartDate,
            MultiRegion = changed.MultiRegion,
        }, tags), cancellationToken);
    }

    /// <summary>Makes the replica of <paramref name="keyId"/> (the current primary) in <paramref name="primaryRegion"/> the primary key; the former primary becomes a replica.</summary>
    /// <exception cref="KmsException">
    /// ValidationException for a malformed region; UnsupportedOperationException unless <paramref name="keyId"/> is a
    /// multi-Region primary key; NotFoundException when it has no replica in <paramref name="primaryRegion"/>;
    /// DisabledException or KMSInvalidStateException when either key is not enabled.
    /// </exception>
    public async Task<KmsKey> UpdatePrimaryRegionAsync(KmsCaller caller, string? keyId, string? primaryRegion, CancellationToken cancellationToken)
    {
        var region = ValidateRegion(primaryRegion, "primaryRegion");
        var primary = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        EnsurePrimary(primary);
        if (!primary.MultiRegion!.ReplicaRegions.Contains(region))
        {
            KmsErrors.Throw(KmsErrorCode.NotFoundException, $"{primary.Arn} has no replica key in `{region}`.");
        }

        EnsureUsable(await resolver.FindAsync(primary.Account, region, primary.Id, cancellationToken));
        return await keys.UpdateAsync(primary, stored =>
        {
            EnsurePrimary(stored);
            EnsureUsable(stored);
            if (!stored.MultiRegion!.ReplicaRegions.Contains(region))
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"{stored.Arn} has no replica key in `{region}`.");
            }

            return stored with { MultiRegion = stored.MultiRegion.WithPrimary(region) };
        }, addRelated: null, checkRelated: related =>
        {
            // The check above read the replica before this transaction (possibly from the cache): a ScheduleKeyDeletion
            // or DisableKey of the replica may have committed since. Checked again on the record this transaction writes,
            // or a key pending deletion could become a primary with replicas, which AWS never deletes and the sweeper
            // would. AWS: both keys must be Enabled when the operation starts.
            if (related.Region == region)
            {
                EnsureUsable(related);
            }
        }, cancellationToken);
    }

    private string ValidateRegion(string? requested, string member)
    {
        var region = RegionName.Validate(requested, member);
        if (servedRegions is not null && !servedRegions.Contains(region))
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException,
                $"Region `{region}` is not served by this Keyhaven deployment (it serves {string.Join(", ", servedRegions.Order(StringComparer.Ordinal))}).");
        }

        return region;
    }

    private static void EnsurePrimary(KmsKey key)
    {
        if (key.MultiRegion is null)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, $"{key.Arn} is not a multi-Region key.");
        }

        if (key.IsMultiRegionReplica)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException,
                $"{key.Arn} is a multi-Region replica key; use the primary key in {key.MultiRegion.PrimaryRegion}.");
        }
    }

    /// <summary>The key must be Enabled: DisabledException when disabled, KMSInvalidStateException in any other state.</summary>
    private static void EnsureUsable(KmsKey key) => KeyStateRules.EnsureUsable(key);
}
