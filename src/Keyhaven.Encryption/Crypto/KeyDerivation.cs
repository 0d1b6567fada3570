using System.Buffers.Binary;
using System.Security.Cryptography;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Crypto;

/// <summary>
/// Derives the message's AES key (and, for committing suites, the commitment key) from the data key.
/// spec: framework/transitive-requirements.md#hkdf-encryption-key, #hkdf-commit-key
/// </summary>
internal static class KeyDerivation
{
    private static readonly byte[] DeriveKeyLabel = "DERIVEKEY"u8.ToArray();
    private static readonly byte[] CommitKeyLabel = "COMMITKEY"u8.ToArray();

    /// <summary>The AES key for the message body and header authentication. The caller zeroes it.</summary>
    public static byte[] DeriveEncryptionKey(AlgorithmSuite suite, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> messageId)
    {
        if (suite.KdfHash is not { } hash)
        {
            return dataKey.ToArray(); // identity KDF
        }

        var key = new byte[suite.KeyLength];
        if (suite.IsCommitting)
        {
            // info = suite id || "DERIVEKEY"; salt = message id (32 bytes).
            Span<byte> info = stackalloc byte[2 + DeriveKeyLabel.Length];
            BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)suite.Id);
            DeriveKeyLabel.CopyTo(info[2..]);
            HKDF.DeriveKey(hash, dataKey, key, messageId, info);
        }
        else
        {
            // info = suite id || message id (16 bytes); no salt (HKDF uses a zero block).
            Span<byte> info = stackalloc byte[2 + messageId.Length];
            BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)suite.Id);
            messageId.CopyTo(info[2..]);
            HKDF.DeriveKey(hash, dataKey, key, [], info);
        }

        return key;
    }

    /// <summary>The 32-byte commitment key of a committing suite.</summary>
    public static byte[] DeriveCommitmentKey(AlgorithmSuite suite, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> messageId)
    {
        var commitment = new byte[suite.CommitmentLength];
        HKDF.DeriveKey(suite.KdfHash!.Value, dataKey, commitment, messageId, CommitKeyLabel);
        return commitment;
    }
}
