using System.Collections.Immutable;

namespace Keyhaven.Kms.MultiRegion;

/// <summary>
/// Where the related keys of one multi-Region key live: the primary's region and the replicas' regions. Every related
/// key's record carries the same configuration; every change of it writes all of them in one transaction.
/// </summary>
/// <param name="PrimaryRegion">The region of the primary key.</param>
/// <param name="ReplicaRegions">The regions of the replica keys, in the order they were made; never the primary's region.</param>
public sealed record MultiRegionConfiguration(string PrimaryRegion, ImmutableArray<string> ReplicaRegions)
{
    /// <summary>The primary's region, then the replicas' regions.</summary>
    public IEnumerable<string> Regions => ReplicaRegions.Prepend(PrimaryRegion);

    public bool Contains(string region) => PrimaryRegion == region || ReplicaRegions.Contains(region);

    public MultiRegionConfiguration WithReplica(string region) => this with { ReplicaRegions = ReplicaRegions.Add(region) };

    public MultiRegionConfiguration WithoutReplica(string region) => this with { ReplicaRegions = ReplicaRegions.Remove(region) };

    /// <summary>The configuration after the replica in <paramref name="region"/> became the primary and the primary a replica.</summary>
    public MultiRegionConfiguration WithPrimary(string region) =>
        new(region, ReplicaRegions.Replace(region, PrimaryRegion));

    public bool Equals(MultiRegionConfiguration? other) =>
        other is not null && PrimaryRegion == other.PrimaryRegion && ReplicaRegions.SequenceEqual(other.ReplicaRegions);

    public override int GetHashCode() => HashCode.Combine(PrimaryRegion, ReplicaRegions.Length);
}
