using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption;

/// <summary>A decrypted, fully verified plaintext and the message's context and suite.</summary>
/// <param name="EncryptionContext">The stored context plus the reproduced required pairs.</param>
public sealed record DecryptResult(byte[] Plaintext, IReadOnlyDictionary<string, string> EncryptionContext, AlgorithmSuiteId Suite);
