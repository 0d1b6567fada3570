using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Import;

/// <summary>
/// What GetParametersForImport handed out, kept with the key until the material is imported: the RSA wrapping key
/// (PKCS#8, secret), the algorithm the material must be wrapped with, the import token (random, compared in constant
/// time) and when both expire (24 hours later).
/// </summary>
public sealed record ImportParameters(byte[] WrappingKey, KeySpec WrappingKeySpec, WrappingAlgorithm WrappingAlgorithm, byte[] Token, DateTimeOffset ValidTo);
