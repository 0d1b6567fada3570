using Keyhaven.Kms;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations.</summary>
internal static class RotationHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<EnableKeyRotationRequest, EmptyResponse>("EnableKeyRotation", c.EnableKeyRotationRequest, c.EmptyResponse,
            r => KmsAccess.Key("EnableKeyRotation", r.KeyId, context: KmsContext.Number("kms:RotationPeriodInDays", r.RotationPeriodInDays)),
            async (caller, r, ct) =>
        {
            await kms.Rotation.EnableAsync(caller, r.KeyId, r.RotationPeriodInDays, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<KeyIdRequest, EmptyResponse>("DisableKeyRotation", c.KeyIdRequest, c.EmptyResponse,
            r => KmsAccess.Key("DisableKeyRotation", r.KeyId),
            async (caller, r, ct) =>
        {
            await kms.Rotation.DisableAsync(caller, r.KeyId, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<KeyIdRequest, GetKeyRotationStatusResponse>("GetKeyRotationStatus", c.KeyIdRequest, c.GetKeyRotationStatusResponse,
            r => KmsAccess.Key("GetKeyRotationStatus", r.KeyId),
            async (caller, r, ct) =>
        {
            var status = await kms.Rotation.GetStatusAsync(caller, r.KeyId, ct);
            return new GetKeyRotationStatusResponse(status.Enabled, status.Key.Arn, status.RotationPeriodInDays, status.NextRotationDate, status.OnDemandRotationStartDate);
        });
        yield return new KmsOperation<KeyIdRequest, RotateKeyOnDemandResponse>("RotateKeyOnDemand", c.KeyIdRequest, c.RotateKeyOnDemandResponse,
            r => KmsAccess.Key("RotateKeyOnDemand", r.KeyId),
            async (caller, r, ct) =>
            new RotateKeyOnDemandResponse((await kms.Rotation.RotateOnDemandAsync(caller, r.KeyId, ct)).Id.Value));
        yield return new KmsOperation<ListKeyRotationsRequest, ListKeyRotationsResponse>("ListKeyRotations", c.ListKeyRotationsRequest, c.ListKeyRotationsResponse,
            r => KmsAccess.Key("ListKeyRotations", r.KeyId),
            async (caller, r, ct) =>
        {
            var includeAll = r.IncludeKeyMaterial switch
            {
                null or "ROTATIONS_ONLY" => false,
                "ALL_KEY_MATERIAL" => true,
                _ => throw new KmsException(KmsErrorCode.ValidationException,
                    $"1 validation error detected: Value `{r.IncludeKeyMaterial}` at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]"),
            };
            var page = await kms.Rotation.ListAsync(caller, r.KeyId, includeAll, Paging.Limit(r.Limit, 1000), Paging.Marker(r.Marker), ct);
            var key = await kms.Resolver.ResolveAsync(caller, r.KeyId, allowAlias: false, ct);
            var current = key.CurrentVersion.Ordinal;
            return new ListKeyRotationsResponse(
                [.. page.Items.Select(v => new RotationsListEntry(key.Id.Value, v.MaterialId, v.CreatedAt, v.RotationType.ToWire(), v.Ordinal == current ? "CURRENT" : "NON_CURRENT"))],
                page.NextMarker, page.Truncated);
        });
    }
}
