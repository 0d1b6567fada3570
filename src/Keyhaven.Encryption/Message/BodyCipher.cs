using System.Security.Cryptography;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Message;

/// <summary>
/// AES-GCM under a message's derived key: header authentication and body records. Not thread safe.
/// </summary>
internal sealed class BodyCipher : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _messageId;

    public BodyCipher(ReadOnlySpan<byte> derivedKey, byte[] messageId)
    {
        _aes = new AesGcm(derivedKey, AlgorithmSuite.TagLength);
        _messageId = messageId;
    }

    /// <summary>The header authentication tag over <paramref name="aad"/> (empty plaintext).</summary>
    public void AuthenticateHeader(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, Span<byte> tag) =>
        _aes.Encrypt(iv, [], [], tag, aad);

    public bool VerifyHeader(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> tag)
    {
        try
        {
            _aes.Decrypt(iv, [], tag, [], aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> content, uint sequenceNumber, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> aad = stackalloc byte[BodyAad.MaxLength];
        var length = BodyAad.Write(aad, _messageId, content, sequenceNumber, (ulong)plaintext.Length);
        _aes.Encrypt(iv, plaintext, ciphertext, tag, aad[..length]);
    }

    public bool TryDecrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> content, uint sequenceNumber, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        Span<byte> aad = stackalloc byte[BodyAad.MaxLength];
        var length = BodyAad.Write(aad, _messageId, content, sequenceNumber, (ulong)ciphertext.Length);
        try
        {
            _aes.Decrypt(iv, ciphertext, tag, plaintext, aad[..length]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Dispose() => _aes.Dispose();
}
