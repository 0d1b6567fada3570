using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Macs;

/// <summary>What GenerateMac produced: the key and the MAC.</summary>
public sealed record MacResult(KmsKey Key, byte[] Mac);
