using Keyhaven.Kms;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription, ScheduleKeyDeletion, GetKeyLastUsage, CancelKeyDeletion.</summary>
internal static class KeyHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<CreateKeyRequest, KeyMetadataResponse>("CreateKey", c.CreateKeyRequest, c.KeyMetadataResponse,
            r => [new KmsAccess("kms:CreateKey") { Context = KmsContext.ForCreateKey(r), NewKeyPolicy = r.Policy, BypassLockoutCheck = r.BypassPolicyLockoutSafetyCheck == true }],
            async (caller, r, ct) =>
        {
            var (spec, usage, origin) = WireNames.ReadKeyShape(r.KeySpec, r.CustomerMasterKeySpec, r.KeyUsage, r.Origin, r.CustomKeyStoreId);
            var tags = WireTags.ToKeyTags(r.Tags);
            var key = await kms.KeyManager.CreateAsync(caller,
                new NewKeyRequest(r.Description, r.Policy, tags) { Spec = spec, Usage = usage, Origin = origin, MultiRegion = r.MultiRegion == true }, ct);
            return new KeyMetadataResponse(ToMetadata(key));
        });
        yield return new KmsOperation<KeyIdRequest, KeyMetadataResponse>("DescribeKey", c.KeyIdRequest, c.KeyMetadataResponse,
            r => KmsAccess.Key("DescribeKey", r.KeyId, grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
            new KeyMetadataResponse(ToMetadata(await kms.KeyManager.DescribeAsync(caller, r.KeyId, ct))));
        yield return new KmsOperation<ListKeysRequest, ListKeysResponse>("ListKeys", c.ListKeysRequest, c.ListKeysResponse,
            r => KmsAccess.Account("ListKeys"),
            async (caller, r, ct) =>
        {
            var page = await kms.KeyManager.ListAsync(caller, Paging.Limit(r.Limit, 1000), Paging.Marker(r.Marker), ct);
            return new ListKeysResponse([.. page.Items.Select(k => new KeyListEntry(k.Id.Value, k.Arn))], page.NextMarker, page.Truncated);
        });
        yield return new KmsOperation<KeyIdRequest, EmptyResponse>("EnableKey", c.KeyIdRequest, c.EmptyResponse,
            r => KmsAccess.Key("EnableKey", r.KeyId),
            async (caller, r, ct) =>
        {
            await kms.KeyManager.EnableAsync(caller, r.KeyId, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<KeyIdRequest, EmptyResponse>("DisableKey", c.KeyIdRequest, c.EmptyResponse,
            r => KmsAccess.Key("DisableKey", r.KeyId),
            async (caller, r, ct) =>
        {
            await kms.KeyManager.DisableAsync(caller, r.KeyId, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<UpdateKeyDescriptionRequest, EmptyResponse>("UpdateKeyDescription", c.UpdateKeyDescriptionRequest, c.EmptyResponse,
            r => KmsAccess.Key("UpdateKeyDescription", r.KeyId),
            async (caller, r, ct) =>
        {
            await kms.KeyManager.UpdateDescriptionAsync(caller, r.KeyId,
                r.Description ?? throw new KmsException(KmsErrorCode.ValidationException, "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null"), ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse>("ScheduleKeyDeletion", c.ScheduleKeyDeletionRequest, c.ScheduleKeyDeletionResponse,
            r => KmsAccess.Key("ScheduleKeyDeletion", r.KeyId, context: KmsContext.Number("kms:ScheduleKeyDeletionPendingWindowInDays", r.PendingWindowInDays)),
            async (caller, r, ct) =>
        {
            var key = await kms.KeyManager.ScheduleDeletionAsync(caller, r.KeyId, r.PendingWindowInDays, ct);
            return new ScheduleKeyDeletionResponse(key.Arn, key.DeletionDate, key.State.ToString(), key.PendingWindowInDays);
        });
        yield return new KmsOperation<KeyIdRequest, GetKeyLastUsageResponse>("GetKeyLastUsage", c.KeyIdRequest, c.GetKeyLastUsageResponse,
            r => KmsAccess.Key("GetKeyLastUsage", r.KeyId),
            async (caller, r, ct) =>
        {
            var (key, usage) = await kms.Usage.GetAsync(caller, r.KeyId, ct);
            // Keyhaven tracks usage from a key's creation, so tracking starts when the key was made.
            return new GetKeyLastUsageResponse(key.Id.Value, usage is null ? null : new KeyLastUsageModel(usage.Operation, usage.Timestamp, usage.RequestId),
                key.CreatedAt, key.CreatedAt);
        });
        yield return new KmsOperation<KeyIdRequest, CancelKeyDeletionResponse>("CancelKeyDeletion", c.KeyIdRequest, c.CancelKeyDeletionResponse,
            r => KmsAccess.Key("CancelKeyDeletion", r.KeyId),
            async (caller, r, ct) =>
            new CancelKeyDeletionResponse((await kms.KeyManager.CancelDeletionAsync(caller, r.KeyId, ct)).Arn));
    }

    public static KeyMetadataModel ToMetadata(KmsKey key) => new()
    {
        AWSAccountId = key.Account.Value,
        KeyId = key.Id.Value,
        Arn = key.Arn,
        CreationDate = key.CreatedAt,
        Enabled = key.State == KeyState.Enabled,
        Description = key.Description,
        KeyUsage = key.Usage.ToWire(),
        KeyState = key.State.ToString(),
        DeletionDate = key.DeletionDate,
        Origin = key.Origin.ToWire(),
        KeyManager = "CUSTOMER",
        CustomerMasterKeySpec = key.Spec.ToWire(),
        KeySpec = key.Spec.ToWire(),
        EncryptionAlgorithms = SigningHandlers.NullIfEmpty(KeySpecRules.EncryptionAlgorithms(key)),
        SigningAlgorithms = SigningHandlers.NullIfEmpty(KeySpecRules.SigningAlgorithms(key).Select(a => a.ToWire())),
        KeyAgreementAlgorithms = SigningHandlers.NullIfEmpty(KeySpecRules.KeyAgreementAlgorithms(key).Select(a => a.ToWire())),
        MacAlgorithms = SigningHandlers.NullIfEmpty(KeySpecRules.MacAlgorithms(key).Select(a => a.ToWire())),
        MultiRegion = key.MultiRegion is not null,
        MultiRegionConfiguration = key.MultiRegion is not { } multiRegion ? null : new MultiRegionConfigurationModel(
            key.IsMultiRegionPrimary ? "PRIMARY" : "REPLICA",
            new MultiRegionKeyModel(KeyArn.ForKey(multiRegion.PrimaryRegion, key.Account, key.Id), multiRegion.PrimaryRegion),
            [.. multiRegion.ReplicaRegions.Select(region => new MultiRegionKeyModel(KeyArn.ForKey(region, key.Account, key.Id), region))]),
        // model: KeyMetadata.PendingDeletionWindowInDays "is present only when the KeyState of the KMS key is
        // PendingReplicaDeletion"; once the last replica is gone the key is PendingDeletion and shows its DeletionDate.
        PendingDeletionWindowInDays = key.State == KeyState.PendingReplicaDeletion ? key.PendingWindowInDays : null,
        // model: KeyMetadata.CurrentKeyMaterialId "is present for symmetric encryption keys with AWS_KMS or EXTERNAL
        // origin" (the keys that rotate); HMAC and asymmetric keys have one material and no id in the metadata.
        CurrentKeyMaterialId = key.Spec != KeySpec.SymmetricDefault || key.Versions.IsEmpty ? null : key.CurrentVersion.MaterialId,
        ValidTo = key.ValidTo,
        ExpirationModel = key.Origin != KeyOrigin.External ? null : key.ValidTo is null ? "KEY_MATERIAL_DOES_NOT_EXPIRE" : "KEY_MATERIAL_EXPIRES",
    };
}
