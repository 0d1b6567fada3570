using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Signing;

/// <summary>What Sign produced: the key that signed and the signature.</summary>
public sealed record SignatureResult(KmsKey Key, byte[] Signature);
