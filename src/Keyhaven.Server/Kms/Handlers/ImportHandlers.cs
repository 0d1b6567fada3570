using Keyhaven.Kms;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.</summary>
internal static class ImportHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<GetParametersForImportRequest, GetParametersForImportResponse>("GetParametersForImport", c.GetParametersForImportRequest,
            c.GetParametersForImportResponse,
            r => KmsAccess.Key("GetParametersForImport", r.KeyId, context: KmsContext.Values(("kms:WrappingAlgorithm", r.WrappingAlgorithm), ("kms:WrappingKeySpec", r.WrappingKeySpec))),
            async (caller, r, ct) =>
        {
            var algorithm = WireNames.WrappingAlgorithms.Parse(r.WrappingAlgorithm);
            var spec = WireNames.WrappingKeySpecs.Parse(r.WrappingKeySpec);
            var result = await kms.Imports.GetParametersAsync(caller, r.KeyId, algorithm, spec, ct);
            return new GetParametersForImportResponse(result.Key.Arn, result.ImportToken, result.PublicKey, result.ParametersValidTo);
        });
        yield return new KmsOperation<ImportKeyMaterialRequest, ImportKeyMaterialResponse>("ImportKeyMaterial", c.ImportKeyMaterialRequest, c.ImportKeyMaterialResponse,
            r => KmsAccess.Key("ImportKeyMaterial", r.KeyId, context: KmsContext.Values(("kms:ExpirationModel", r.ExpirationModel),
                ("kms:ValidTo", r.ValidTo?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)))),
            async (caller, r, ct) =>
        {
            var expires = r.ExpirationModel switch
            {
                null => r.ValidTo is not null,
                "KEY_MATERIAL_EXPIRES" => true,
                "KEY_MATERIAL_DOES_NOT_EXPIRE" => false,
                _ => throw new KmsException(KmsErrorCode.ValidationException,
                    $"1 validation error detected: Value `{r.ExpirationModel}` at 'expirationModel' failed to satisfy constraint: Member must satisfy enum value set: [KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]"),
            };
            var key = await kms.Imports.ImportAsync(caller, r.KeyId, r.ImportToken, r.EncryptedKeyMaterial, expires, r.ValidTo, ct);
            return new ImportKeyMaterialResponse(key.Arn, key.CurrentVersion.MaterialId);
        });
        yield return new KmsOperation<DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse>("DeleteImportedKeyMaterial",
            c.DeleteImportedKeyMaterialRequest, c.DeleteImportedKeyMaterialResponse,
            r => KmsAccess.Key("DeleteImportedKeyMaterial", r.KeyId),
            async (caller, r, ct) =>
        {
            var key = await kms.Imports.DeleteAsync(caller, r.KeyId, r.KeyMaterialId, ct);
            return new DeleteImportedKeyMaterialResponse(key.Arn, key.ImportedMaterialId);
        });
    }
}
