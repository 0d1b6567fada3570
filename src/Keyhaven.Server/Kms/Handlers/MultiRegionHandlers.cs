using Keyhaven.Kms;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.MultiRegion;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>ReplicateKey, UpdatePrimaryRegion.</summary>
internal static class MultiRegionHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;

        // AWS: kms:ReplicateKey on the primary key (in its region), kms:CreateKey in the replica region (IAM policy),
        // and kms:TagResource there too when the request tags the replica.
        yield return new KmsOperation<ReplicateKeyRequest, ReplicateKeyResponse>("ReplicateKey", c.ReplicateKeyRequest, c.ReplicateKeyResponse,
            r =>
            {
                // A malformed region is the request's error (ValidationException, as AWS checks the model's constraints
                // first), not a region to authorize in.
                RegionName.Validate(r.ReplicaRegion, "replicaRegion");
                return [
                    KmsAccess.Key("ReplicateKey", r.KeyId, context: KmsContext.Values(("kms:ReplicaRegion", r.ReplicaRegion)))[0],
                    new KmsAccess("kms:CreateKey")
                    {
                        Region = r.ReplicaRegion,
                        Context = KmsContext.ForReplica(r),
                        NewKeyPolicy = r.Policy,
                        BypassLockoutCheck = r.BypassPolicyLockoutSafetyCheck == true,
                    },
                    .. r.Tags is { Count: > 0 } ? [new KmsAccess("kms:TagResource") { Region = r.ReplicaRegion, Context = KmsContext.ForTags(r.Tags) }] : Array.Empty<KmsAccess>(),
                ];
            },
            async (caller, r, ct) =>
        {
            var tags = WireTags.ToKeyTags(r.Tags);
            var replica = await kms.MultiRegion.ReplicateAsync(caller, r.KeyId, r.ReplicaRegion, new NewReplicaRequest(r.Description, r.Policy, tags), ct);
            return new ReplicateKeyResponse(KeyHandlers.ToMetadata(replica), replica.Policy, [.. replica.Tags.Select(t => new TagModel(t.Key, t.Value))]);
        });

        // AWS: kms:UpdatePrimaryRegion on the current primary key and on the replica that becomes primary, each in its region.
        yield return new KmsOperation<UpdatePrimaryRegionRequest, EmptyResponse>("UpdatePrimaryRegion", c.UpdatePrimaryRegionRequest, c.EmptyResponse,
            // A regional key has no replica to authorize on: the operation itself answers UnsupportedOperationException.
            r =>
            {
                // model: PrimaryRegion is a RegionType. Checked before the replica is looked up in that region, where a
                // malformed name (`US-EAST-1`, `x`, empty) found no key and answered NotFoundException.
                RegionName.Validate(r.PrimaryRegion, "primaryRegion");
                return [
                    KmsAccess.Key("UpdatePrimaryRegion", r.KeyId, context: KmsContext.Values(("kms:PrimaryRegion", r.PrimaryRegion)))[0],
                    .. NamesMultiRegionKey(r.KeyId)
                        ? [KmsAccess.Key("UpdatePrimaryRegion", KeyArn.InRegion(r.KeyId, r.PrimaryRegion), context: KmsContext.Values(("kms:PrimaryRegion", r.PrimaryRegion)))[0]
                            with { Region = r.PrimaryRegion }]
                        : Array.Empty<KmsAccess>(),
                ];
            },
            async (caller, r, ct) =>
        {
            await kms.MultiRegion.UpdatePrimaryRegionAsync(caller, r.KeyId, r.PrimaryRegion, ct);
            return EmptyResponse.Instance;
        });
    }

    /// <summary>True when a key id or key ARN names a multi-Region key (<c>mrk-…</c>).</summary>
    private static bool NamesMultiRegionKey(string? identifier) =>
        identifier is not null && KeyId.TryParse(identifier[(identifier.LastIndexOf('/') + 1)..], out var keyId) && keyId.IsMultiRegion;
}
