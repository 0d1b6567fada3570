using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// Turns a <see cref="KmsKey"/> into the bytes the barrier seals, and back. The document carries a format version so
/// that later releases can migrate it. Material is written as base64 straight from and to byte arrays (no strings).
/// </summary>
internal static class KeyRecordSerializer
{
    private const int FormatVersion = 1;

    public static byte[] Serialize(KmsKey key) =>
        JsonSerializer.SerializeToUtf8Bytes(new KeyDocument
        {
            Format = FormatVersion,
            Id = key.Id.Value,
            Account = key.Account.Value,
            Region = key.Region,
            CreatedAt = key.CreatedAt,
            Description = key.Description,
            Spec = key.Spec,
            Usage = key.Usage,
            Origin = key.Origin,
            State = key.State,
            DeletionDate = key.DeletionDate,
            PendingWindowInDays = key.PendingWindowInDays,
            Policy = key.Policy,
            PolicyPrincipalIds = key.PolicyPrincipalIds.IsEmpty ? null : key.PolicyPrincipalIds.ToDictionary(StringComparer.Ordinal),
            Tags = [.. key.Tags.Select(t => new TagDocument { Key = t.Key, Value = t.Value })],
            RotationPeriodInDays = key.RotationPeriodInDays,
            NextRotationDate = key.NextRotationDate,
            OnDemandRotationStartDate = key.OnDemandRotationStartDate,
            Versions = [.. key.Versions.Select(v => new VersionDocument
            {
                Ordinal = v.Ordinal, MaterialId = v.MaterialId, CreatedAt = v.CreatedAt, RotationType = v.RotationType, Material = v.Material,
            })],
            ValidTo = key.ValidTo,
            ImportedMaterialId = key.ImportedMaterialId,
            Import = key.ImportParameters is not { } import ? null : new ImportDocument
            {
                WrappingKey = import.WrappingKey, WrappingKeySpec = import.WrappingKeySpec, WrappingAlgorithm = import.WrappingAlgorithm,
                Token = import.Token, ValidTo = import.ValidTo,
            },
            MultiRegion = key.MultiRegion is not { } multiRegion ? null : new MultiRegionDocument
            {
                PrimaryRegion = multiRegion.PrimaryRegion, ReplicaRegions = [.. multiRegion.ReplicaRegions],
            },
        }, KeyRecordJsonContext.Default.KeyDocument);

    /// <exception cref="InvalidDataException">The bytes are not a key document of a known format.</exception>
    public static KmsKey Deserialize(ReadOnlySpan<byte> utf8, long storeVersion)
    {
        var document = JsonSerializer.Deserialize(utf8, KeyRecordJsonContext.Default.KeyDocument)
            ?? throw new InvalidDataException("A key record is empty.");
        if (document.Format != FormatVersion || !KeyId.TryParse(document.Id, out var keyId) || !AccountId.TryParse(document.Account, out var account)
            || document.Versions is null || (document.Versions.Length == 0 && document.Origin != KeyOrigin.External)
            || (document.MultiRegion is not null) != keyId.IsMultiRegion)
        {
            throw new InvalidDataException("A key record is not of a known format.");
        }

        return new KmsKey
        {
            Id = keyId,
            Account = account,
            Region = document.Region,
            CreatedAt = document.CreatedAt,
            Description = document.Description,
            Spec = document.Spec,
            Usage = document.Usage,
            Origin = document.Origin,
            State = document.State,
            DeletionDate = document.DeletionDate,
            PendingWindowInDays = document.PendingWindowInDays,
            Policy = document.Policy,
            PolicyPrincipalIds = document.PolicyPrincipalIds is { } ids ? ids.ToImmutableSortedDictionary(StringComparer.Ordinal) : ImmutableSortedDictionary<string, string>.Empty,
            Tags = [.. (document.Tags ?? []).Select(t => new KeyTag(t.Key, t.Value))],
            RotationPeriodInDays = document.RotationPeriodInDays,
            NextRotationDate = document.NextRotationDate,
            OnDemandRotationStartDate = document.OnDemandRotationStartDate,
            Versions = [.. document.Versions.Select(v => new KeyMaterialVersion(v.Ordinal, v.MaterialId, v.CreatedAt, v.RotationType, v.Material))],
            ValidTo = document.ValidTo,
            ImportedMaterialId = document.ImportedMaterialId,
            ImportParameters = document.Import is not { } import ? null
                : new Import.ImportParameters(import.WrappingKey, import.WrappingKeySpec, import.WrappingAlgorithm, import.Token, import.ValidTo),
            MultiRegion = document.MultiRegion is not { } multiRegion ? null
                : new MultiRegion.MultiRegionConfiguration(multiRegion.PrimaryRegion, [.. multiRegion.ReplicaRegions ?? []]),
            StoreVersion = storeVersion,
        };
    }

    /// <summary>Zeroes a serialized record once it has been sealed.</summary>
    public static void Clear(byte[] utf8) => CryptographicOperations.ZeroMemory(utf8);

    internal sealed class KeyDocument
    {
        public int Format { get; set; }
        public string Id { get; set; } = "";
        public string Account { get; set; } = "";
        public string Region { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public string Description { get; set; } = "";
        public KeySpec Spec { get; set; }
        public KeyUsage Usage { get; set; }
        public KeyOrigin Origin { get; set; }
        public KeyState State { get; set; }
        public DateTimeOffset? DeletionDate { get; set; }
        public int? PendingWindowInDays { get; set; }
        public string Policy { get; set; } = "";

        /// <summary>Absent when the policy binds no principal (and in every record written before bindings were recorded).</summary>
        public Dictionary<string, string>? PolicyPrincipalIds { get; set; }
        public TagDocument[]? Tags { get; set; }
        public int? RotationPeriodInDays { get; set; }
        public DateTimeOffset? NextRotationDate { get; set; }
        public DateTimeOffset? OnDemandRotationStartDate { get; set; }
        public VersionDocument[]? Versions { get; set; }
        public DateTimeOffset? ValidTo { get; set; }
        public string? ImportedMaterialId { get; set; }
        public ImportDocument? Import { get; set; }

        /// <summary>Absent for regional keys (and in every record written before multi-Region keys existed).</summary>
        public MultiRegionDocument? MultiRegion { get; set; }
    }

    internal sealed class MultiRegionDocument
    {
        public string PrimaryRegion { get; set; } = "";
        public string[]? ReplicaRegions { get; set; }
    }

    internal sealed class ImportDocument
    {
        public byte[] WrappingKey { get; set; } = [];
        public KeySpec WrappingKeySpec { get; set; }
        public Import.WrappingAlgorithm WrappingAlgorithm { get; set; }
        public byte[] Token { get; set; } = [];
        public DateTimeOffset ValidTo { get; set; }
    }

    internal sealed class TagDocument
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
    }

    internal sealed class VersionDocument
    {
        public uint Ordinal { get; set; }
        public string MaterialId { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public RotationType RotationType { get; set; }
        public byte[] Material { get; set; } = [];
    }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(KeyRecordSerializer.KeyDocument))]
internal sealed partial class KeyRecordJsonContext : JsonSerializerContext;
