using System.Collections.Frozen;
using Keyhaven.Kms;
using Keyhaven.Server.Kms.Handlers;

namespace Keyhaven.Server.Kms;

/// <summary>Every KMS operation this server implements, by the name in <c>X-Amz-Target: TrentService.&lt;Name&gt;</c>.</summary>
internal sealed class KmsOperationTable
{
    public const string TargetPrefix = "TrentService.";
    private readonly FrozenDictionary<string, KmsOperation> _operations;

    public KmsOperationTable(KmsDomain kms, Recipients.RecipientAttestations recipients)
    {
        _operations = KeyHandlers.Create(kms)
            .Concat(CryptoHandlers.Create(kms, recipients))
            .Concat(SigningHandlers.Create(kms))
            .Concat(MacHandlers.Create(kms))
            .Concat(KeyAgreementHandlers.Create(kms, recipients))
            .Concat(ImportHandlers.Create(kms))
            .Concat(AliasHandlers.Create(kms))
            .Concat(TagHandlers.Create(kms))
            .Concat(RotationHandlers.Create(kms))
            .Concat(PolicyHandlers.Create(kms))
            .Concat(GrantHandlers.Create(kms))
            .Concat(MultiRegionHandlers.Create(kms))
            .ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);
    }

    /// <summary>Finds the operation an X-Amz-Target header names; false for other services and unknown names.</summary>
    public bool TryFind(string? target, out KmsOperation operation)
    {
        operation = null!;
        return target is not null && target.StartsWith(TargetPrefix, StringComparison.Ordinal)
            && _operations.TryGetValue(target[TargetPrefix.Length..], out operation!);
    }
}
