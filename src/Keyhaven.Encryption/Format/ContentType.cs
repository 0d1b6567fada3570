namespace Keyhaven.Encryption.Format;

/// <summary>spec: data-format/message-header.md#content-type</summary>
internal enum ContentType : byte
{
    NonFramed = 0x01,
    Framed = 0x02,
}
