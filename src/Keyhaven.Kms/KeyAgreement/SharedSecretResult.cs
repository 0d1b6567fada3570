using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.KeyAgreement;

/// <summary>What DeriveSharedSecret produced. <see cref="SharedSecret"/> is secret: written to the response, then zeroed.</summary>
public sealed record SharedSecretResult(KmsKey Key, byte[] SharedSecret);
