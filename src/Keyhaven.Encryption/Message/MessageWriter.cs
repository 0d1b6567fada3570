using Keyhaven.Encryption.Format;

namespace Keyhaven.Encryption.Message;

/// <summary>Writes a whole message for a plaintext held in memory (the byte-array API).</summary>
internal static class MessageWriter
{
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
        if (frameLength == 0)
        {
            offset += encryptor.WriteNonFramed(plaintext, output.AsSpan(offset));
        }
        else
        {
            var remaining = plaintext;
            while (remaining.Length > frameLength)
            {
                offset += encryptor.WriteFrame(remaining[..frameLength], final: false, output.AsSpan(offset));
                remaining = remaining[frameLength..];
            }

            offset += encryptor.WriteFrame(remaining, final: true, output.AsSpan(offset));
        }

        var footer = encryptor.WriteFooter();
        footer.CopyTo(output, offset);
        offset += footer.Length;
        return offset == output.Length ? output : output.AsSpan(0, offset).ToArray();
    }
}
