using System.Buffers.Binary;
using System.Text;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Format;

/// <summary>
/// One encrypted data key entry as the message header writes it: three fields, each a 2-byte big-endian length and
/// the bytes (provider id in UTF-8, provider info, ciphertext).
/// spec: data-format/message-header.md#encrypted-data-key-entries
/// </summary>
internal static class EncryptedDataKeySerializer
{
    public static byte[] Serialize(EncryptedDataKey edk)
    {
        var providerId = Encoding.UTF8.GetBytes(edk.ProviderId);
        var output = new byte[6 + providerId.Length + edk.ProviderInfo.Length + edk.Ciphertext.Length];
        var offset = 0;
        foreach (var field in (ReadOnlySpan<byte[]>)[providerId, edk.ProviderInfo, edk.Ciphertext])
        {
            // INVARIANT: fields come from a parsed header or a keyring, so each fits in 16 bits (checked when serialized).
            BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(offset), checked((ushort)field.Length));
            field.CopyTo(output, offset + 2);
            offset += 2 + field.Length;
        }

        return output;
    }
}
