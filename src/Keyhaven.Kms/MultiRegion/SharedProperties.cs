using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.MultiRegion;

/// <summary>
/// The properties related multi-Region keys share (AWS: key material, key spec, key usage, origin, automatic rotation),
/// and where the related keys live. Key policy, tags, aliases, grants, description and key state are each key's own.
/// </summary>
internal static class SharedProperties
{
    /// <summary>
    /// <paramref name="related"/> with the shared properties of <paramref name="source"/>; <paramref name="related"/>
    /// itself (the same reference) when they already match, so that nothing is written.
    /// </summary>
    public static KmsKey Copy(KmsKey source, KmsKey related)
    {
        // INVARIANT: related keys have the same id, account, spec, usage and origin from the moment the replica is made.
        System.Diagnostics.Debug.Assert(source.Id == related.Id && source.Account == related.Account && source.Spec == related.Spec);
        if (SameVersions(source, related) && source.RotationPeriodInDays == related.RotationPeriodInDays
            && source.NextRotationDate == related.NextRotationDate && source.OnDemandRotationStartDate == related.OnDemandRotationStartDate
            && Equals(source.MultiRegion, related.MultiRegion))
        {
            return related;
        }

        return related with
        {
            Versions = CopyOf(source.Versions),
            RotationPeriodInDays = source.RotationPeriodInDays,
            NextRotationDate = source.NextRotationDate,
            OnDemandRotationStartDate = source.OnDemandRotationStartDate,
            MultiRegion = source.MultiRegion,
        };
    }

    /// <summary>
    /// The versions with material arrays of their own: each related key's cached record owns its arrays, so that
    /// evicting one key's parsed key objects (<see cref="Asymmetric.ParsedKeyCache"/>) never touches another's.
    /// </summary>
    public static System.Collections.Immutable.ImmutableArray<KeyMaterialVersion> CopyOf(System.Collections.Immutable.ImmutableArray<KeyMaterialVersion> versions) =>
        [.. versions.Select(v => v with { Material = [.. v.Material] })];

    private static bool SameVersions(KmsKey a, KmsKey b)
    {
        if (a.Versions.Length != b.Versions.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Versions.Length; i++)
        {
            // Material ids are 256 random bits: the same id is the same material.
            if (a.Versions[i].Ordinal != b.Versions[i].Ordinal || a.Versions[i].MaterialId != b.Versions[i].MaterialId)
            {
                return false;
            }
        }

        return true;
    }
}
