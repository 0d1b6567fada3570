using System.Formats.Cbor;

namespace Keyhaven.Attestation.Nitro;

/// <summary>
/// Reads the CBOR payload of a Nitro attestation document into an <see cref="AttestationDocument"/>, strictly: strict
/// CBOR (definite lengths, shortest encodings, no duplicate keys), the schema and size limits of the AWS Nitro
/// Enclaves attestation format, optional fields absent or null. Unknown fields are skipped.
/// </summary>
internal static class AttestationDocumentParser
{
    // spec: aws-nitro-enclaves-nsm-api, docs/attestation_process.md (field types and sizes)
    private const int MaxCertificate = 1024, MaxPublicKey = 1024, MaxUserData = 512, MaxNonce = 512, MaxPcrs = 32, MaxTpmPcrs = 24;

    /// <exception cref="FormatException">The payload is not a valid attestation document (the message says which part).</exception>
    public static AttestationDocument Parse(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var reader = new CborReader(payload, CborConformanceMode.Strict);
            var document = ReadDocument(reader);
            if (reader.BytesRemaining != 0)
            {
                throw new FormatException("Bytes follow the attestation document's payload.");
            }

            return document;
        }
        catch (Exception exception) when (exception is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new FormatException("The payload is not strict CBOR: " + exception.Message, exception);
        }
    }

    private static AttestationDocument ReadDocument(CborReader reader)
    {
        string? moduleId = null, digest = null;
        ulong? timestamp = null;
        Dictionary<int, byte[]>? pcrs = null;
        var isTpm = false;
        byte[]? certificate = null, publicKey = null, userData = null, nonce = null;
        List<byte[]>? caBundle = null;
        var count = reader.ReadStartMap() ?? throw new FormatException("The payload map has an indefinite length.");
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadTextString();
            switch (key)
            {
                case "module_id":
                    moduleId = reader.ReadTextString();
                    break;
                case "digest":
                    digest = reader.ReadTextString();
                    break;
                case "timestamp":
                    timestamp = reader.ReadUInt64();
                    break;
                case "pcrs":
                case "nitrotpm_pcrs":
                    if (pcrs is not null)
                    {
                        throw new FormatException("The document has both `pcrs` and `nitrotpm_pcrs`.");
                    }

                    isTpm = key == "nitrotpm_pcrs";
                    pcrs = ReadPcrs(reader, isTpm ? MaxTpmPcrs : MaxPcrs);
                    break;
                case "certificate":
                    certificate = Bytes(reader, key, 1, MaxCertificate);
                    break;
                case "cabundle":
                    caBundle = ReadBundle(reader);
                    break;
                case "public_key":
                    publicKey = OptionalBytes(reader, key, 1, MaxPublicKey);
                    break;
                case "user_data":
                    userData = OptionalBytes(reader, key, 0, MaxUserData);
                    break;
                case "nonce":
                    nonce = OptionalBytes(reader, key, 0, MaxNonce);
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        reader.ReadEndMap();
        if (string.IsNullOrEmpty(moduleId) || digest is null || timestamp is null || pcrs is null || certificate is null || caBundle is null)
        {
            throw new FormatException("The document lacks a mandatory field (module_id, digest, timestamp, pcrs, certificate, cabundle).");
        }

        if (digest != "SHA384")
        {
            throw new FormatException($"Digest `{digest}` is not SHA384.");
        }

        if (timestamp is 0 or > 253402300799999UL)
        {
            throw new FormatException("The timestamp is out of range.");
        }

        return new AttestationDocument
        {
            ModuleId = moduleId, Digest = digest, Timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long)timestamp.Value), Pcrs = pcrs, IsNitroTpm = isTpm,
            Certificate = certificate, CaBundle = caBundle, PublicKey = publicKey, UserData = userData, Nonce = nonce,
        };
    }

    private static Dictionary<int, byte[]> ReadPcrs(CborReader reader, int max)
    {
        var count = reader.ReadStartMap() ?? throw new FormatException("The PCR map has an indefinite length.");
        if (count is < 1 || count > max)
        {
            throw new FormatException($"The document has {count} PCRs (1 to {max} allowed).");
        }

        var pcrs = new Dictionary<int, byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var index = reader.ReadUInt32();
            if (index >= max)
            {
                throw new FormatException($"PCR index {index} is out of range.");
            }

            var value = reader.ReadByteString();
            if (value.Length is not (32 or 48 or 64))
            {
                throw new FormatException($"PCR{index} is {value.Length} bytes (32, 48 or 64 expected).");
            }

            pcrs[(int)index] = value;
        }

        reader.ReadEndMap();
        return pcrs;
    }

    private static List<byte[]> ReadBundle(CborReader reader)
    {
        var count = reader.ReadStartArray() ?? throw new FormatException("The CA bundle has an indefinite length.");
        if (count is < 1 or > 8)
        {
            throw new FormatException($"The CA bundle has {count} certificates (1 to 8 allowed).");
        }

        var bundle = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            bundle.Add(Bytes(reader, "cabundle", 1, MaxCertificate));
        }

        reader.ReadEndArray();
        return bundle;
    }

    private static byte[]? OptionalBytes(CborReader reader, string field, int min, int max)
    {
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
            return null;
        }

        return Bytes(reader, field, min, max);
    }

    private static byte[] Bytes(CborReader reader, string field, int min, int max)
    {
        var value = reader.ReadByteString();
        if (value.Length < min || value.Length > max)
        {
            throw new FormatException($"`{field}` is {value.Length} bytes ({min} to {max} allowed).");
        }

        return value;
    }
}
