using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Rotation;

/// <summary>
/// Rotation of symmetric keys: EnableKeyRotation (90–2560 days, default 365), DisableKeyRotation,
/// GetKeyRotationStatus, RotateKeyOnDemand (at most 25 per key) and ListKeyRotations. A rotation adds a version;
/// every earlier version keeps decrypting.
/// </summary>
public sealed class RotationManager(KeyManager keyManager, KeyResolver resolver, KmsEnvironment environment)
{
    public const int DefaultPeriodInDays = 365;
    public const int MinPeriodInDays = 90;
    public const int MaxPeriodInDays = 2560;
    public const int MaxOnDemandRotations = 25;

    public Task<KmsKey> EnableAsync(KmsCaller caller, string? keyId, int? rotationPeriodInDays, CancellationToken cancellationToken)
    {
        var period = rotationPeriodInDays ?? DefaultPeriodInDays;
        if (period is < MinPeriodInDays or > MaxPeriodInDays)
        {
            KmsErrors.Validation("rotationPeriodInDays", $"Member must have value between {MinPeriodInDays} and {MaxPeriodInDays}");
        }

        return keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureRotatable(key);
            EnsureNotReplica(key);
            KeyStateRules.EnsureUsable(key);
            return key with { RotationPeriodInDays = period, NextRotationDate = environment.Now.AddDays(period) };
        }, cancellationToken);
    }

    public Task<KmsKey> DisableAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureRotatable(key);
            EnsureNotReplica(key);
            KeyStateRules.EnsureUsable(key);
            return key with { RotationPeriodInDays = null, NextRotationDate = null };
        }, cancellationToken);

    /// <summary>
    /// The rotation status as AWS reports it: a key pending deletion reports rotation off and no next rotation date,
    /// while its stored schedule stays, so CancelKeyDeletion brings the original status back.
    /// </summary>
    // spec: kms/2014-11-01 GetKeyRotationStatus ("While a KMS key is pending deletion, its key rotation status is false
    // and KMS does not rotate the key material. If you cancel the deletion, the original key rotation status returns to true.")
    public async Task<RotationStatus> GetStatusAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        var pendingDeletion = key.State is KeyState.PendingDeletion or KeyState.PendingReplicaDeletion;
        return pendingDeletion
            ? new RotationStatus(key, Enabled: false, key.RotationPeriodInDays, NextRotationDate: null, key.OnDemandRotationStartDate)
            : new RotationStatus(key, key.RotationEnabled, key.RotationPeriodInDays, key.NextRotationDate, key.OnDemandRotationStartDate);
    }

    public Task<KmsKey> RotateOnDemandAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken) =>
        keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureRotatable(key);
            EnsureNotReplica(key);
            KeyStateRules.EnsureUsable(key);
            if (key.OnDemandRotationCount >= MaxOnDemandRotations)
            {
                KmsErrors.Throw(KmsErrorCode.LimitExceededException,
                    $"{key.Arn} has reached the limit of {MaxOnDemandRotations} on-demand rotations.");
            }

            var now = environment.Now;
            return Rotate(key, RotationType.OnDemand, now) with { OnDemandRotationStartDate = now };
        }, cancellationToken);

    /// <summary>Completed rotations, oldest first; with <paramref name="includeAllMaterial"/> the first material too.</summary>
    public async Task<Page<KeyMaterialVersion>> ListAsync(KmsCaller caller, string? keyId, bool includeAllMaterial, int limit, string? marker,
        CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        EnsureRotatable(key);
        uint after = 0;
        if (marker is not null && !uint.TryParse(marker, System.Globalization.CultureInfo.InvariantCulture, out after))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        var versions = key.Versions.Where(v => v.Ordinal > after && (includeAllMaterial || v.RotationType != RotationType.Initial)).ToList();
        return versions.Count > limit
            ? new Page<KeyMaterialVersion>(versions.Take(limit).ToList(), versions[limit - 1].Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : new Page<KeyMaterialVersion>(versions, null);
    }

    /// <summary>The key with one more version of fresh material, which becomes current.</summary>
    internal KmsKey Rotate(KmsKey key, RotationType type, DateTimeOffset now) =>
        key with { Versions = key.Versions.Add(KeyManager.NewVersion(key.CurrentVersion.Ordinal + 1, now, type, environment)) };

    /// <summary>Rotation of a multi-Region key is a shared property, set and run on the primary key (AWS).</summary>
    private static void EnsureNotReplica(KmsKey key)
    {
        if (key.IsMultiRegionReplica)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException,
                $"{key.Arn} is a multi-Region replica key; manage its rotation on the primary key in {key.MultiRegion!.PrimaryRegion}.");
        }
    }

    private static void EnsureRotatable(KmsKey key)
    {
        if (key.Spec != KeySpec.SymmetricDefault || key.Origin != KeyOrigin.AwsKms)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, $"{key.Arn} does not support rotation: only symmetric encryption keys with KMS-made material rotate.");
        }
    }
}
