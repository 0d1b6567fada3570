using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Signing;

/// <summary>What GetPublicKey returns: the key and its DER-encoded SubjectPublicKeyInfo.</summary>
public sealed record PublicKeyResult(KmsKey Key, byte[] PublicKey);
