using System.Collections.Immutable;
using Keyhaven.Kms.Accounts;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// A KMS key as stored: metadata, policy, tags, rotation schedule and every version of its material. Immutable;
/// changes produce a new value with <c>with</c>. <see cref="StoreVersion"/> is the stored record's version, for
/// optimistic concurrency.
/// </summary>
public sealed record KmsKey
{
    public required KeyId Id { get; init; }
    public required AccountId Account { get; init; }
    public required string Region { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string Description { get; init; } = string.Empty;
    public KeySpec Spec { get; init; } = KeySpec.SymmetricDefault;
    public KeyUsage Usage { get; init; } = KeyUsage.EncryptDecrypt;
    public KeyOrigin Origin { get; init; } = KeyOrigin.AwsKms;
    public KeyState State { get; init; } = KeyState.Enabled;
    public DateTimeOffset? DeletionDate { get; init; }
    public int? PendingWindowInDays { get; init; }
    public required string Policy { get; init; }

    /// <summary>
    /// The unique ids the key policy's IAM user and role ARNs stood for when it was saved (ARN as written -> AIDA…/AROA…);
    /// such a principal matches only the user or role with that id. Empty for policies that name none, and for keys whose
    /// policy was stored before bindings were recorded (their principals match by ARN until the policy is put again).
    /// </summary>
    public ImmutableSortedDictionary<string, string> PolicyPrincipalIds { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ImmutableArray<KeyTag> Tags { get; init; } = [];
    public int? RotationPeriodInDays { get; init; }
    public DateTimeOffset? NextRotationDate { get; init; }
    public DateTimeOffset? OnDemandRotationStartDate { get; init; }
    /// <summary>Every version of the material; empty while an EXTERNAL key waits for (re-)import.</summary>
    public required ImmutableArray<KeyMaterialVersion> Versions { get; init; }

    /// <summary>When imported material expires (KEY_MATERIAL_EXPIRES); null when it does not, or for KMS-made material.</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>The MaterialId of the first material imported into an EXTERNAL key: re-imports must bring the same material.</summary>
    public string? ImportedMaterialId { get; init; }

    /// <summary>The wrapping key and token of the last GetParametersForImport; secret, sealed with the key record.</summary>
    public Import.ImportParameters? ImportParameters { get; init; }

    /// <summary>For a multi-Region key (primary or replica): where its related keys live; null for a regional key.</summary>
    public MultiRegion.MultiRegionConfiguration? MultiRegion { get; init; }

    public long StoreVersion { get; init; }

    /// <summary>True for the primary key of a multi-Region key.</summary>
    public bool IsMultiRegionPrimary => MultiRegion is { } configuration && configuration.PrimaryRegion == Region;

    /// <summary>True for the primary key of a multi-Region key that still has replica keys (AWS never deletes such a key).</summary>
    public bool IsMultiRegionPrimaryWithReplicas => IsMultiRegionPrimary && !MultiRegion!.ReplicaRegions.IsEmpty;

    /// <summary>True for a replica key of a multi-Region key.</summary>
    public bool IsMultiRegionReplica => MultiRegion is { } configuration && configuration.PrimaryRegion != Region;

    public string Arn => KeyArn.ForKey(Region, Account, Id);

    /// <summary>Automatic rotation is on when a period is set.</summary>
    public bool RotationEnabled => RotationPeriodInDays is not null;

    /// <summary>The version new ciphertexts use: always the newest. INVARIANT: only called on keys with material (usable keys).</summary>
    public KeyMaterialVersion CurrentVersion => Versions[^1];

    public int OnDemandRotationCount => Versions.Count(v => v.RotationType == RotationType.OnDemand);

    public KeyMaterialVersion? FindVersion(uint ordinal)
    {
        // INVARIANT: Versions is ordered by Ordinal and ordinals are 1..n without gaps.
        var index = (int)ordinal - 1;
        return index >= 0 && index < Versions.Length ? Versions[index] : null;
    }
}
