using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Import;

/// <summary>What GetParametersForImport returns: the key, the import token, the wrapping public key (DER SubjectPublicKeyInfo) and their expiry.</summary>
public sealed record ImportParametersResult(KmsKey Key, byte[] ImportToken, byte[] PublicKey, DateTimeOffset ParametersValidTo);
