namespace Keyhaven.Encryption;

/// <summary>
/// An encrypt or decrypt call failed; <see cref="Reason"/> says why. Messages never contain key material or
/// plaintext.
/// </summary>
public sealed class EncryptionSdkException : Exception
{
    public EncryptionSdkException(EncryptionSdkErrorReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    public EncryptionSdkException()
        : this(EncryptionSdkErrorReason.MalformedMessage, "The message is malformed.")
    {
    }

    public EncryptionSdkException(string message)
        : this(EncryptionSdkErrorReason.MalformedMessage, message)
    {
    }

    public EncryptionSdkException(string message, Exception inner)
        : this(EncryptionSdkErrorReason.MalformedMessage, message, inner)
    {
    }

    public EncryptionSdkErrorReason Reason { get; }
}
