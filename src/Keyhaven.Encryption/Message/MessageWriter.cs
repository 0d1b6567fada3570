using System.Security.Cryptography;
using System.Threading.Channels;
using Keyhaven.Encryption.Format;

namespace Keyhaven.Encryption.Message;

/// <summary>Writes a whole message for a plaintext held in memory (the byte-array API).</summary>
internal static class MessageWriter
{
    /// <summary>Plaintexts from this size on are hashed for the signature on a second thread while frames are encrypted.</summary>
    public const int ParallelHashThreshold = 1024 * 1024;

    /// <summary>Whether <see cref="WriteMessage"/> hashes itself (the encryptor must then be made without hashing).</summary>
    public static bool HashesInParallel(bool signed, int plaintextLength) => signed && plaintextLength >= ParallelHashThreshold;

    public static byte[] WriteMessage(MessageEncryptor encryptor, ReadOnlySpan<byte> plaintext)
    {
        var frameLength = encryptor.FrameLength;
        long bodyLength;
        if (frameLength == 0)
        {
            bodyLength = BodyLayout.NonFramedOverhead + (long)plaintext.Length;
        }
        else
        {
            // Full frames, then a final frame with the rest (a full final frame when the length is a multiple).
            var regularFrames = plaintext.Length == 0 ? 0 : (plaintext.Length - 1) / frameLength;
            var finalLength = plaintext.Length - (regularFrames * frameLength);
            bodyLength = (regularFrames * (long)(frameLength + BodyLayout.RegularFrameOverhead)) + finalLength + BodyLayout.FinalFrameOverhead;
        }

        var footerRoom = encryptor.Suite.IsSigning ? MessageEncryptor.MaxFooterSize : 0;
        var total = encryptor.Header.Length + bodyLength + footerRoom;
        if (total > Array.MaxLength)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, "The message would exceed 2 GiB; use the streaming API.");
        }

        var output = new byte[total];
        encryptor.Header.CopyTo(output, 0);
        var offset = encryptor.Header.Length;
        var parallel = HashesInParallel(encryptor.Suite.IsSigning, plaintext.Length);
        var hashed = parallel ? Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }) : null;
        var hashTask = hashed is null ? null : Task.Run(() => HashAsync(encryptor, output, hashed.Reader));
        try
        {
            if (frameLength == 0)
            {
                offset += encryptor.WriteNonFramed(plaintext, output.AsSpan(offset));
            }
            else
            {
                var remaining = plaintext;
                var published = offset;
                while (remaining.Length > frameLength)
                {
                    offset += encryptor.WriteFrame(remaining[..frameLength], final: false, output.AsSpan(offset));
                    remaining = remaining[frameLength..];
                    if (hashed is not null && offset - published >= ParallelHashThreshold)
                    {
                        hashed.Writer.TryWrite(offset); // the channel orders these writes before the hasher's reads
                        published = offset;
                    }
                }

                offset += encryptor.WriteFrame(remaining, final: true, output.AsSpan(offset));
            }
        }
        finally
        {
            if (hashed is not null)
            {
                hashed.Writer.TryWrite(offset);
                hashed.Writer.Complete();
            }
        }

        var footer = hashTask is null ? encryptor.WriteFooter() : encryptor.FooterFromHash(hashTask.GetAwaiter().GetResult());
        footer.CopyTo(output, offset);
        offset += footer.Length;
        return offset == output.Length ? output : output.AsSpan(0, offset).ToArray();
    }

    private static async Task<byte[]> HashAsync(MessageEncryptor encryptor, byte[] output, ChannelReader<int> ends)
    {
        using var hash = IncrementalHash.CreateHash(encryptor.Suite.SignatureHash);
        var start = 0;
        await foreach (var end in ends.ReadAllAsync().ConfigureAwait(false))
        {
            hash.AppendData(output, start, end - start);
            start = end;
        }

        return hash.GetHashAndReset();
    }
}
