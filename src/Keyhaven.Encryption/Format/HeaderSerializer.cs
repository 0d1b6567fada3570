using System.Buffers.Binary;
using System.Text;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Format;

/// <summary>
/// Writes and parses the header body (everything before the header authentication) of message formats 1 and 2.
/// spec: data-format/message-header.md#header-body
/// </summary>
internal static class HeaderSerializer
{
    public const byte Version1 = 0x01;
    public const byte Version2 = 0x02;
    public const byte TypeCustomerAuthenticatedEncryptedData = 0x80;

    /// <summary>The serialized header body (without the authentication IV and tag).</summary>
    public static byte[] SerializeBody(MessageHeader header)
    {
        var suite = header.Suite;
        var context = EncryptionContextSerializer.Serialize(header.EncryptionContext);
        if (header.EncryptedDataKeys.Count is 0 or > ushort.MaxValue)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"A message holds 1 to {ushort.MaxValue} encrypted data keys, not {header.EncryptedDataKeys.Count}.");
        }

        using var output = new MemoryStream();
        var scratch = new byte[4];
        void U8(byte value) => output.WriteByte(value);
        void U16(int value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(scratch, (ushort)value);
            output.Write(scratch[..2]);
        }

        void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(scratch, value);
            output.Write(scratch);
        }

        void Field(ReadOnlySpan<byte> value, string what)
        {
            if (value.Length > ushort.MaxValue)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"The encrypted data key's {what} is {value.Length} bytes; at most {ushort.MaxValue} fit in a message.");
            }

            U16(value.Length);
            output.Write(value);
        }

        U8(suite.MessageFormatVersion);
        if (!suite.IsCommitting)
        {
            U8(TypeCustomerAuthenticatedEncryptedData);
        }

        U16((ushort)suite.Id);
        output.Write(header.MessageId);
        U16(context.Length);
        output.Write(context);
        U16(header.EncryptedDataKeys.Count);
        foreach (var edk in header.EncryptedDataKeys)
        {
            Field(Encoding.UTF8.GetBytes(edk.ProviderId), "provider id");
            Field(edk.ProviderInfo, "provider info");
            Field(edk.Ciphertext, "ciphertext");
        }

        U8((byte)header.ContentType);
        if (!suite.IsCommitting)
        {
            U32(0); // reserved
            U8(AlgorithmSuite.IvLength);
            U32(header.FrameLength);
        }
        else
        {
            U32(header.FrameLength);
            output.Write(header.Commitment);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Parses a complete header (body and authentication) from the start of <paramref name="data"/>.
    /// Returns false when more bytes are needed; throws <see cref="EncryptionSdkException"/> when the bytes
    /// cannot be a header or hold more than <paramref name="maxEncryptedDataKeys"/> encrypted data keys.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, int maxEncryptedDataKeys, out MessageHeader? header, out int bodyLength, out int headerLength)
    {
        header = null;
        bodyLength = headerLength = 0;
        var reader = new SpanReader(data);
        if (!reader.TryU8(out var version))
        {
            return false;
        }

        if (version is not (Version1 or Version2))
        {
            throw Malformed($"Unsupported message format version `0x{version:X2}` (expected 0x01 or 0x02).");
        }

        if (version == Version1)
        {
            if (!reader.TryU8(out var type))
            {
                return false;
            }

            if (type != TypeCustomerAuthenticatedEncryptedData)
            {
                throw Malformed($"Unsupported message type `0x{type:X2}` (expected 0x80).");
            }
        }

        if (!reader.TryU16(out var suiteId))
        {
            return false;
        }

        if (!AlgorithmSuite.TryFromId(suiteId, out var suite))
        {
            throw Malformed($"Unknown algorithm suite `0x{suiteId:X4}`.");
        }

        if (suite.MessageFormatVersion != version)
        {
            throw Malformed($"Suite {suite} cannot appear in message format version {version}.");
        }

        if (!reader.TryTake(suite.MessageIdLength, out var messageId) || !reader.TryU16(out var contextLength) || !reader.TryTake(contextLength, out var contextBytes))
        {
            return false;
        }

        var context = EncryptionContextSerializer.Deserialize(contextBytes);
        if (!reader.TryU16(out var edkCount))
        {
            return false;
        }

        if (edkCount == 0)
        {
            throw Malformed("The message has no encrypted data key.");
        }

        if (edkCount > maxEncryptedDataKeys)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.TooManyEncryptedDataKeys, $"The message has {edkCount} encrypted data keys; at most {maxEncryptedDataKeys} are allowed.");
        }

        var edks = new List<EncryptedDataKey>(edkCount);
        for (var i = 0; i < edkCount; i++)
        {
            if (!reader.TryU16(out var idLength) || !reader.TryTake(idLength, out var id)
                || !reader.TryU16(out var infoLength) || !reader.TryTake(infoLength, out var info)
                || !reader.TryU16(out var ciphertextLength) || !reader.TryTake(ciphertextLength, out var ciphertext))
            {
                return false;
            }

            string providerId;
            try
            {
                providerId = StrictUtf8.GetString(id);
            }
            catch (DecoderFallbackException)
            {
                throw Malformed("An encrypted data key's provider id is not valid UTF-8.");
            }

            edks.Add(new EncryptedDataKey(providerId, info.ToArray(), ciphertext.ToArray()));
        }

        if (!reader.TryU8(out var contentTypeByte))
        {
            return false;
        }

        if (contentTypeByte is not ((byte)ContentType.NonFramed or (byte)ContentType.Framed))
        {
            throw Malformed($"Unknown content type `0x{contentTypeByte:X2}`.");
        }

        var contentType = (ContentType)contentTypeByte;
        uint frameLength;
        ReadOnlySpan<byte> commitment = default;
        if (version == Version1)
        {
            if (!reader.TryU32(out var reserved) || !reader.TryU8(out var ivLength) || !reader.TryU32(out frameLength))
            {
                return false;
            }

            if (reserved != 0)
            {
                throw Malformed("The header's reserved field is not zero.");
            }

            if (ivLength != AlgorithmSuite.IvLength)
            {
                throw Malformed($"The header's IV length is {ivLength}; the suite's is {AlgorithmSuite.IvLength}.");
            }
        }
        else if (!reader.TryU32(out frameLength) || !reader.TryTake(suite.CommitmentLength, out commitment))
        {
            return false;
        }

        if ((contentType == ContentType.NonFramed) != (frameLength == 0))
        {
            throw Malformed(contentType == ContentType.NonFramed ? "A non-framed message must have frame length 0." : "A framed message must have a frame length above 0.");
        }

        bodyLength = reader.Position;
        ReadOnlySpan<byte> iv = default;
        if (version == Version1 && !reader.TryTake(AlgorithmSuite.IvLength, out iv))
        {
            return false;
        }

        if (!reader.TryTake(AlgorithmSuite.TagLength, out var tag))
        {
            return false;
        }

        headerLength = reader.Position;
        header = new MessageHeader
        {
            Suite = suite,
            MessageId = messageId.ToArray(),
            EncryptionContext = context,
            EncryptedDataKeys = edks,
            ContentType = contentType,
            FrameLength = frameLength,
            Commitment = commitment.ToArray(),
            HeaderIv = iv.ToArray(),
            HeaderTag = tag.ToArray(),
        };
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static EncryptionSdkException Malformed(string message) => new(EncryptionSdkErrorReason.MalformedMessage, message);

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public bool TryTake(int length, out ReadOnlySpan<byte> value)
        {
            if (_data.Length - Position < length)
            {
                value = default;
                return false;
            }

            value = _data.Slice(Position, length);
            Position += length;
            return true;
        }

        public bool TryU8(out byte value)
        {
            var ok = TryTake(1, out var bytes);
            value = ok ? bytes[0] : (byte)0;
            return ok;
        }

        public bool TryU16(out ushort value)
        {
            var ok = TryTake(2, out var bytes);
            value = ok ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0;
            return ok;
        }

        public bool TryU32(out uint value)
        {
            var ok = TryTake(4, out var bytes);
            value = ok ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;
            return ok;
        }
    }
}
