using System.Security.Cryptography;

namespace Keyhaven.Encryption.Message;

/// <summary>Reads the body and footer of a message held in memory (the byte-array API).</summary>
internal static class MessageReader
{
    /// <summary>
    /// Decrypts every record after the header and returns the plaintext, only once the whole message has been
    /// verified and no byte follows it.
    /// </summary>
    public static byte[] ReadBody(MessageDecryptor decryptor, ReadOnlySpan<byte> message, int offset)
    {
        // The plaintext is never longer than the ciphertext body.
        var plaintext = new byte[message.Length - offset];
        var written = 0;
        try
        {
            while (decryptor.Stage == DecryptorStage.Body)
            {
                var record = Take(decryptor, message, ref offset);
                written += decryptor.DecryptRecord(record, plaintext.AsSpan(written));
            }

            if (decryptor.Stage == DecryptorStage.Footer)
            {
                decryptor.VerifyFooter(Take(decryptor, message, ref offset));
            }

            if (offset != message.Length)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, $"{message.Length - offset} bytes follow the end of the message.");
            }

            return written == plaintext.Length ? plaintext : plaintext.AsSpan(0, written).ToArray();
        }
        finally
        {
            if (written != plaintext.Length || decryptor.Stage != DecryptorStage.Done)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    private static ReadOnlySpan<byte> Take(MessageDecryptor decryptor, ReadOnlySpan<byte> message, ref int offset)
    {
        var remaining = message[offset..];
        var needed = decryptor.RequiredBytes(remaining);
        if (needed > remaining.Length)
        {
            throw MessageDecryptor.Truncated();
        }

        offset += needed;
        return remaining[..needed];
    }
}
