using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.MultiRegion;

/// <summary>What ReplicateKey asks for besides the primary key and the region: the replica's own description, key policy and tags (null: AWS's defaults).</summary>
public sealed record NewReplicaRequest(string? Description, string? Policy, IReadOnlyList<KeyTag>? Tags);
