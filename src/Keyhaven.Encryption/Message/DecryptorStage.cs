namespace Keyhaven.Encryption.Message;

/// <summary>Which part of the message a <see cref="MessageDecryptor"/> expects next.</summary>
internal enum DecryptorStage
{
    Header,
    Body,
    Footer,
    Done,
}
