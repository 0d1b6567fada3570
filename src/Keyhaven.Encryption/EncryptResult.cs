using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption;

/// <summary>An encrypted message and what it was made with.</summary>
/// <param name="EncryptionContext">The full context, including <c>aws-crypto-public-key</c> for signed suites.</param>
public sealed record EncryptResult(byte[] Ciphertext, IReadOnlyDictionary<string, string> EncryptionContext, AlgorithmSuiteId Suite);
