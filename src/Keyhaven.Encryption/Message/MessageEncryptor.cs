using System.Buffers.Binary;
using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Message;

/// <summary>
/// Writes one message from its encryption materials: the header, then frames in order, then the footer.
/// The caller supplies the plaintext in frame-sized pieces; this class does no I/O. Not thread safe.
/// spec: client-apis/encrypt.md
/// </summary>
internal sealed class MessageEncryptor : IDisposable
{
    private readonly BodyCipher _cipher;
    private readonly IncrementalHash? _signatureHash;
    private readonly ECDsa? _signingKey;
    private uint _sequenceNumber = 1;
    private bool _finalWritten;

    public MessageEncryptor(EncryptionMaterials materials, int frameLength, bool hashForSignature = true)
    {
        Suite = materials.Suite;
        FrameLength = frameLength;
        var messageId = RandomNumberGenerator.GetBytes(Suite.MessageIdLength);
        var dataKey = materials.PlaintextDataKey!;
        // spec: client-apis/encrypt.md#construct-the-header — stored context excludes the required keys.
        var stored = materials.EncryptionContext
            .Where(pair => !materials.RequiredEncryptionContextKeys.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var authenticatedOnly = materials.EncryptionContext
            .Where(pair => materials.RequiredEncryptionContextKeys.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var header = new MessageHeader
        {
            Suite = Suite,
            MessageId = messageId,
            EncryptionContext = stored,
            EncryptedDataKeys = materials.EncryptedDataKeys,
            ContentType = frameLength == 0 ? ContentType.NonFramed : ContentType.Framed,
            FrameLength = (uint)frameLength,
            Commitment = Suite.IsCommitting ? KeyDerivation.DeriveCommitmentKey(Suite, dataKey, messageId) : [],
        };
        var body = HeaderSerializer.SerializeBody(header);
        byte[] aad = [.. body, .. EncryptionContextSerializer.Serialize(authenticatedOnly)];

        // spec: client-apis/encrypt.md#construct-the-header — the header IV is 0 (format 1 writes it).
        var ivLength = Suite.IsCommitting ? 0 : AlgorithmSuite.IvLength;
        var headerBytes = new byte[body.Length + ivLength + AlgorithmSuite.TagLength];
        body.CopyTo(headerBytes, 0);
        if (Suite.IsSigning)
        {
            _signingKey = materials.SigningKey ?? throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"Suite {Suite} is signed but the materials have no signing key.");
        }

        // The key is derived only once nothing else can fail, so a header that cannot be written leaves no cipher.
        var derived = KeyDerivation.DeriveEncryptionKey(Suite, dataKey, messageId);
        try
        {
            _cipher = new BodyCipher(derived, messageId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }

        _cipher.AuthenticateHeader(new byte[AlgorithmSuite.IvLength], aad, headerBytes.AsSpan(body.Length + ivLength));
        Header = headerBytes;

        if (Suite.IsSigning && hashForSignature)
        {
            _signatureHash = IncrementalHash.CreateHash(Suite.SignatureHash);
            _signatureHash.AppendData(headerBytes);
        }
    }

    public AlgorithmSuite Suite { get; }

    /// <summary>Plaintext bytes per regular frame (0: non-framed).</summary>
    public int FrameLength { get; }

    /// <summary>The serialized header, authentication included.</summary>
    public byte[] Header { get; }

    /// <summary>Bytes a frame holding <paramref name="plaintextLength"/> bytes takes.</summary>
    public static int FrameSize(int plaintextLength, bool final) =>
        plaintextLength + (final ? BodyLayout.FinalFrameOverhead : BodyLayout.RegularFrameOverhead);

    /// <summary>Encrypts one frame into <paramref name="destination"/> and returns the bytes written.</summary>
    /// <param name="plaintext">Exactly <see cref="FrameLength"/> bytes for a regular frame; at most that for the final one.</param>
    public int WriteFrame(ReadOnlySpan<byte> plaintext, bool final, Span<byte> destination)
    {
        // INVARIANT: callers pass full frames except for the final one, and write nothing after it.
        if (_finalWritten || (final ? plaintext.Length > FrameLength : plaintext.Length != FrameLength))
        {
            throw new InvalidOperationException("Frames must be full except the last, and nothing follows the last.");
        }

        if (_sequenceNumber == BodyLayout.SequenceNumberEnd)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, "The plaintext needs more than 2^32 - 1 frames; use a larger frame length.");
        }

        var offset = 0;
        if (final)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, BodyLayout.SequenceNumberEnd);
            offset = 4;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], _sequenceNumber);
        var iv = destination.Slice(offset + 4, AlgorithmSuite.IvLength);
        BodyAad.WriteFrameIv(iv, _sequenceNumber);
        offset += 4 + AlgorithmSuite.IvLength;
        if (final)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], (uint)plaintext.Length);
            offset += 4;
        }

        _cipher.Encrypt(iv, final ? BodyAad.FinalFrame : BodyAad.RegularFrame, _sequenceNumber, plaintext,
            destination.Slice(offset, plaintext.Length), destination.Slice(offset + plaintext.Length, AlgorithmSuite.TagLength));
        offset += plaintext.Length + AlgorithmSuite.TagLength;
        _signatureHash?.AppendData(destination[..offset]);
        _sequenceNumber++;
        _finalWritten = final;
        return offset;
    }

    /// <summary>Encrypts the whole plaintext as non-framed content (frame length 0).</summary>
    public int WriteNonFramed(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_finalWritten || FrameLength != 0)
        {
            throw new InvalidOperationException("Non-framed content is written once, by a non-framed encryptor.");
        }

        // INVARIANT: a span is shorter than 2^31 bytes, well under the 2^36 - 32 limit of non-framed content.
        var iv = destination[..AlgorithmSuite.IvLength];
        BodyAad.WriteFrameIv(iv, 1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[AlgorithmSuite.IvLength..], (ulong)plaintext.Length);
        const int start = AlgorithmSuite.IvLength + 8;
        _cipher.Encrypt(iv, BodyAad.SingleBlock, 1, plaintext, destination.Slice(start, plaintext.Length), destination.Slice(start + plaintext.Length, AlgorithmSuite.TagLength));
        var written = start + plaintext.Length + AlgorithmSuite.TagLength;
        _signatureHash?.AppendData(destination[..written]);
        _finalWritten = true;
        return written;
    }

    /// <summary>Largest footer: length (2) and a DER ECDSA signature (at most 104 bytes for P-384).</summary>
    public const int MaxFooterSize = 2 + 104;

    /// <summary>The footer (length and DER signature) of a signed suite, or empty. Call after the final frame.</summary>
    public byte[] WriteFooter()
    {
        if (!_finalWritten)
        {
            throw new InvalidOperationException("The footer follows the final frame.");
        }

        if (_signingKey is null)
        {
            return [];
        }

        Span<byte> hash = stackalloc byte[64];
        var hashLength = _signatureHash!.GetHashAndReset(hash);
        return FooterFromHash(hash[..hashLength]);
    }

    /// <summary>The footer for a hash of header and body computed by the caller (when constructed without hashing).</summary>
    public byte[] FooterFromHash(ReadOnlySpan<byte> hash)
    {
        var signature = _signingKey!.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence);
        var footer = new byte[2 + signature.Length];
        BinaryPrimitives.WriteUInt16BigEndian(footer, (ushort)signature.Length);
        signature.CopyTo(footer, 2);
        return footer;
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _signatureHash?.Dispose();
    }
}
