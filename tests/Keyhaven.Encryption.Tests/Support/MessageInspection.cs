using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Tests.Support;

/// <summary>Reads a message's header to look at what the writer chose.</summary>
internal static class MessageInspection
{
    public static MessageHeader Header(byte[] message) =>
        HeaderSerializer.TryParse(message, int.MaxValue, out var header, out _, out _) ? header! : throw new InvalidOperationException("Not a complete header.");

    public static int HeaderLength(byte[] message) =>
        HeaderSerializer.TryParse(message, int.MaxValue, out _, out _, out var length) ? length : throw new InvalidOperationException("Not a complete header.");

    public static EncryptedDataKey FirstDataKey(byte[] message) => Header(message).EncryptedDataKeys[0];

    /// <summary>The first data key's ciphertext in hex: equal for two messages exactly when they share the data key.</summary>
    public static string DataKeyId(byte[] message) => Convert.ToHexString(FirstDataKey(message).Ciphertext);
}
