using System.Buffers.Binary;
using System.Security.Cryptography;
using Keyhaven.Encryption.Format;

namespace Keyhaven.Encryption.Message;

/// <summary>Reads the body and footer of a message held in memory (the byte-array API).</summary>
internal static class MessageReader
{
    /// <summary>
    /// Decrypts every record after the header and returns the plaintext, only once the whole message has been
    /// verified and no byte follows it. Large signed messages are hashed on a second thread meanwhile.
    /// </summary>
    public static byte[] ReadBody(MessageDecryptor decryptor, ReadOnlyMemory<byte> message, int offset)
    {
        var (plaintextLength, bodyEnd) = MeasureBody(decryptor, message.Span, offset);
        Task<byte[]>? hashTask = null;
        if (MessageWriter.HashesInParallel(decryptor.Suite.IsSigning, plaintextLength))
        {
            decryptor.HashOutside();
            var signed = message[..bodyEnd];
            var algorithm = decryptor.Suite.SignatureHash;
            hashTask = Task.Run(() => HashOf(algorithm, signed));
        }

        var span = message.Span;
        var plaintext = new byte[plaintextLength];
        var written = 0;
        try
        {
            while (decryptor.Stage == DecryptorStage.Body)
            {
                var record = Take(decryptor, span, ref offset);
                written += decryptor.DecryptRecord(record, plaintext.AsSpan(written));
            }

            if (decryptor.Stage == DecryptorStage.Footer)
            {
                var footer = Take(decryptor, span, ref offset);
                if (hashTask is null)
                {
                    decryptor.VerifyFooter(footer);
                }
                else
                {
                    decryptor.VerifySignature(hashTask.GetAwaiter().GetResult(), footer);
                }
            }

            if (offset != span.Length)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, $"{span.Length - offset} bytes follow the end of the message.");
            }

            return plaintext;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }
        finally
        {
            hashTask?.Wait(); // never leave the hasher reading the caller's buffer
        }
    }

    /// <summary>The plaintext length and where the body ends, from the record lengths alone (nothing is decrypted).</summary>
    private static (int PlaintextLength, int BodyEnd) MeasureBody(MessageDecryptor decryptor, ReadOnlySpan<byte> message, int offset)
    {
        long plaintext = 0;
        var framed = decryptor.Header.ContentType == ContentType.Framed;
        while (true)
        {
            var remaining = message[offset..];
            var length = decryptor.RequiredBytes(remaining);
            if (length > remaining.Length)
            {
                throw MessageDecryptor.Truncated();
            }

            var final = !framed || BinaryPrimitives.ReadUInt32BigEndian(remaining) == BodyLayout.SequenceNumberEnd;
            plaintext += length - (!framed ? BodyLayout.NonFramedOverhead : final ? BodyLayout.FinalFrameOverhead : BodyLayout.RegularFrameOverhead);
            offset += length;
            if (final)
            {
                return ((int)plaintext, offset);
            }
        }
    }

    private static byte[] HashOf(System.Security.Cryptography.HashAlgorithmName algorithm, ReadOnlyMemory<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        hash.AppendData(data.Span);
        return hash.GetHashAndReset();
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
