// Wire shapes of GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record GetParametersForImportRequest(string? KeyId, string? WrappingAlgorithm, string? WrappingKeySpec);

internal sealed record GetParametersForImportResponse(string KeyId, byte[] ImportToken, byte[] PublicKey, DateTimeOffset ParametersValidTo);

internal sealed record ImportKeyMaterialRequest(string? KeyId, byte[]? ImportToken, byte[]? EncryptedKeyMaterial, DateTimeOffset? ValidTo, string? ExpirationModel,
    string? ImportType, string? KeyMaterialDescription, string? KeyMaterialId);

internal sealed record ImportKeyMaterialResponse(string KeyId, string KeyMaterialId);

internal sealed record DeleteImportedKeyMaterialRequest(string? KeyId, string? KeyMaterialId);

internal sealed record DeleteImportedKeyMaterialResponse(string KeyId, string? KeyMaterialId);
