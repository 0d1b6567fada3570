using System.Collections.Frozen;
using System.Globalization;
using Keyhaven.Policy.Context;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms;

/// <summary>The KMS condition keys that come from a request's own members (the KMS developer guide's condition keys).</summary>
internal static class KmsContext
{
    /// <summary>The algorithm symmetric encryption keys use, and the one a request that names none asks for.</summary>
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";

    // Shared and never mutated (KmsAccess.WithConditionKeys copies): the common Encrypt/Decrypt/GenerateDataKey request allocates nothing here.
    private static readonly FrozenDictionary<string, ContextValues> SymmetricDefaultAlgorithm =
        new Dictionary<string, ContextValues> { ["kms:EncryptionAlgorithm"] = new(SymmetricDefault) }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// kms:EncryptionAlgorithm of Encrypt, Decrypt and each side of ReEncrypt: the request's EncryptionAlgorithm, or
    /// SYMMETRIC_DEFAULT when it names none (the default the operation uses; an asymmetric key then refuses the request).
    /// </summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-algorithm ("even when the algorithm isn't specified in the request")
    public static IReadOnlyDictionary<string, ContextValues> Algorithm(string? algorithm) =>
        algorithm is null or SymmetricDefault
            ? SymmetricDefaultAlgorithm
            : new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase) { ["kms:EncryptionAlgorithm"] = new(algorithm) };

    /// <summary>
    /// GenerateDataKey(WithoutPlaintext) and GenerateDataKeyPair(WithoutPlaintext): kms:EncryptionAlgorithm is
    /// SYMMETRIC_DEFAULT (the only algorithm these operations encrypt with), with kms:DataKeyPairSpec when given.
    /// </summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-algorithm ("operations that generate data keys and data key pairs")
    public static IReadOnlyDictionary<string, ContextValues> ForDataKey(string? keyPairSpec = null) =>
        keyPairSpec is null
            ? SymmetricDefaultAlgorithm
            : new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase)
            {
                ["kms:EncryptionAlgorithm"] = new(SymmetricDefault),
                ["kms:DataKeyPairSpec"] = new(keyPairSpec),
            };

    /// <summary>Condition keys naming the algorithms and types a request asks for (kms:SigningAlgorithm, kms:MessageType, …); null values are left out.</summary>
    public static IReadOnlyDictionary<string, ContextValues>? Values(params ReadOnlySpan<(string Key, string? Value)> pairs)
    {
        Dictionary<string, ContextValues>? values = null;
        foreach (var (key, value) in pairs)
        {
            if (value is not null)
            {
                (values ??= new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase))[key] = new(value);
            }
        }

        return values;
    }

    public static IReadOnlyDictionary<string, ContextValues>? Number(string key, int? value) =>
        value is null ? null : new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase) { [key] = new(value.Value.ToString(CultureInfo.InvariantCulture)) };

    public static IReadOnlyDictionary<string, ContextValues> Bypass(bool? bypass) =>
        new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase) { ["kms:BypassPolicyLockoutSafetyCheck"] = new(bypass == true ? "true" : "false") };

    /// <summary>aws:RequestTag/KEY for each tag and aws:TagKeys.</summary>
    public static IReadOnlyDictionary<string, ContextValues>? ForTags(IReadOnlyList<TagModel>? tags)
    {
        if (tags is not { Count: > 0 })
        {
            return null;
        }

        var values = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in tags)
        {
            if (tag?.TagKey is null)
            {
                continue; // the operation refuses it (WireTags) once authorized
            }

            values["aws:RequestTag/" + tag.TagKey] = new(tag.TagValue ?? string.Empty);
        }

        values["aws:TagKeys"] = new([.. tags.Select(t => t?.TagKey ?? string.Empty)]);
        return values;
    }

    public static IReadOnlyDictionary<string, ContextValues>? ForTagKeys(IReadOnlyList<string>? tagKeys) =>
        tagKeys is not { Count: > 0 } ? null : new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase) { ["aws:TagKeys"] = new([.. tagKeys]) };

    /// <summary>CreateKey: the requested key shape (multi-Region or not), its tags and the lockout-check bypass.</summary>
    public static IReadOnlyDictionary<string, ContextValues> ForCreateKey(CreateKeyRequest request)
    {
        var multiRegion = request.MultiRegion == true;
        var values = new Dictionary<string, ContextValues>(ForTags(request.Tags) ?? new Dictionary<string, ContextValues>(), StringComparer.OrdinalIgnoreCase)
        {
            ["kms:KeySpec"] = new(request.KeySpec ?? request.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT"),
            ["kms:KeyUsage"] = new(request.KeyUsage ?? "ENCRYPT_DECRYPT"),
            ["kms:KeyOrigin"] = new(request.Origin ?? "AWS_KMS"),
            ["kms:BypassPolicyLockoutSafetyCheck"] = new(request.BypassPolicyLockoutSafetyCheck == true ? "true" : "false"),
            // AWS: every key has a MultiRegion property (false when the request leaves it out), so kms:MultiRegion is
            // always present: a policy that allows only {"Bool":{"kms:MultiRegion":"false"}} must allow a plain CreateKey.
            ["kms:MultiRegion"] = new(multiRegion ? "true" : "false"),
        };
        if (multiRegion)
        {
            // AWS: kms:MultiRegionKeyType controls CreateKey too; a new multi-Region key is a primary key.
            values["kms:MultiRegionKeyType"] = new("PRIMARY");
        }

        return values;
    }

    /// <summary>ReplicateKey's kms:CreateKey in the replica region: a multi-Region replica key, its tags and the lockout-check bypass.</summary>
    public static IReadOnlyDictionary<string, ContextValues> ForReplica(ReplicateKeyRequest request) =>
        new Dictionary<string, ContextValues>(ForTags(request.Tags) ?? new Dictionary<string, ContextValues>(), StringComparer.OrdinalIgnoreCase)
        {
            ["kms:MultiRegion"] = new("true"),
            ["kms:MultiRegionKeyType"] = new("REPLICA"),
            ["kms:BypassPolicyLockoutSafetyCheck"] = new(request.BypassPolicyLockoutSafetyCheck == true ? "true" : "false"),
        };
}
