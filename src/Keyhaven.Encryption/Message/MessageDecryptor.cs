using System.Buffers.Binary;
using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Message;

/// <summary>
/// Reads one message record by record: the header (then materials from the CMM, header authentication and key
/// commitment), each frame (or the non-framed content), then the footer. The caller feeds buffered bytes and asks
/// <see cref="RequiredBytes"/> how many the next record needs; this class does no I/O. Not thread safe.
/// spec: client-apis/decrypt.md
/// </summary>
internal sealed class MessageDecryptor : IDisposable
{
    /// <summary>Largest header accepted (encryption context and encrypted data keys included).</summary>
    public const int MaxHeaderSize = 4 * 1024 * 1024;

    private readonly EncryptionClientOptions _options;
    private readonly SignedMessagePolicy _signedMessages;
    private readonly ICryptographicMaterialsManager _cmm;
    private readonly IReadOnlyDictionary<string, string> _reproducedContext;
    private MessageHeader? _header;
    private DecryptionMaterials? _materials;
    private BodyCipher? _cipher;
    private IncrementalHash? _signatureHash;
    private uint _sequenceNumber = 1;
    private bool _hashInline = true;

    public MessageDecryptor(EncryptionClientOptions options, DecryptOptions decryptOptions, ICryptographicMaterialsManager cmm)
    {
        _options = options;
        _signedMessages = decryptOptions.SignedMessages;
        var reproducedContext = decryptOptions.EncryptionContext;
        _cmm = cmm;
        _reproducedContext = reproducedContext;
    }

    public DecryptorStage Stage { get; private set; } = DecryptorStage.Header;

    /// <summary>The parsed header (after <see cref="ReadHeaderAsync"/>).</summary>
    public MessageHeader Header => _header ?? throw new InvalidOperationException("The header has not been read.");

    public AlgorithmSuite Suite => Header.Suite;

    /// <summary>The encryption context of the materials: stored pairs plus the reproduced required pairs.</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext => _materials?.EncryptionContext ?? throw new InvalidOperationException("The header has not been read.");

    /// <summary>Largest plaintext one body record can yield.</summary>
    public int MaxRecordPlaintext => Header.ContentType == ContentType.Framed ? (int)Header.FrameLength : 0;

    /// <summary>
    /// The number of buffered bytes the next record needs. When the record's length cannot be known yet, a number
    /// larger than <paramref name="buffered"/>'s length. Throws for a record that can never be valid.
    /// </summary>
    public int RequiredBytes(ReadOnlySpan<byte> buffered)
    {
        switch (Stage)
        {
            case DecryptorStage.Header:
                if (HeaderSerializer.TryParse(buffered, _options.MaxEncryptedDataKeys, out _, out _, out var headerLength))
                {
                    return headerLength;
                }

                if (buffered.Length >= MaxHeaderSize)
                {
                    throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, $"The message header is larger than {MaxHeaderSize} bytes.");
                }

                return Math.Min(MaxHeaderSize, Math.Max(256, buffered.Length * 2));
            case DecryptorStage.Body when Header.ContentType == ContentType.NonFramed:
                if (buffered.Length < 20)
                {
                    return 20;
                }

                var contentLength = BinaryPrimitives.ReadUInt64BigEndian(buffered[12..]);
                if (contentLength > BodyLayout.MaxNonFramedLength)
                {
                    throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, "The non-framed content is longer than 2^36 - 32 bytes.");
                }

                if (contentLength > (ulong)(Array.MaxLength - BodyLayout.NonFramedOverhead))
                {
                    throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, "Non-framed content longer than 2 GiB is not supported; such messages must be decrypted by an SDK that buffers them.");
                }

                return BodyLayout.NonFramedOverhead + (int)contentLength;
            case DecryptorStage.Body:
                if (buffered.Length < 4)
                {
                    return 4;
                }

                if (BinaryPrimitives.ReadUInt32BigEndian(buffered) != BodyLayout.SequenceNumberEnd)
                {
                    return BodyLayout.RegularFrameOverhead + (int)Header.FrameLength;
                }

                if (buffered.Length < 24)
                {
                    return 24;
                }

                var finalLength = BinaryPrimitives.ReadUInt32BigEndian(buffered[20..]);
                if (finalLength > Header.FrameLength)
                {
                    throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, "The final frame is longer than the frame length.");
                }

                return BodyLayout.FinalFrameOverhead + (int)finalLength;
            case DecryptorStage.Footer:
                return buffered.Length < 2 ? 2 : 2 + BinaryPrimitives.ReadUInt16BigEndian(buffered);
            default:
                return 0;
        }
    }

    /// <summary>
    /// Parses the header from <paramref name="headerBytes"/> (exactly <see cref="RequiredBytes"/> long), gets the
    /// decryption materials, checks the commitment policy, key commitment and the header authentication tag.
    /// </summary>
    public async ValueTask ReadHeaderAsync(ReadOnlyMemory<byte> headerBytes, CancellationToken cancellationToken)
    {
        if (!HeaderSerializer.TryParse(headerBytes.Span, _options.MaxEncryptedDataKeys, out var header, out var bodyLength, out _))
        {
            throw Truncated();
        }

        if (!header!.Suite.AllowsDecrypt(_options.CommitmentPolicy))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentPolicyViolation, $"The commitment policy {_options.CommitmentPolicy} does not allow decrypting suite {header.Suite} (it has no key commitment).");
        }

        if (header.Suite.IsSigning && _signedMessages == SignedMessagePolicy.Refuse)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.UnverifiedPlaintextRefused, $"Suite {header.Suite} is signed and this decryptor refuses signed messages.");
        }

        if (header.ContentType == ContentType.Framed && header.FrameLength > BodyLayout.MaxFrameLength)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"The frame length {header.FrameLength} is larger than the {BodyLayout.MaxFrameLength} bytes this SDK buffers.");
        }

        var materials = await _cmm.DecryptMaterialsAsync(
            new DecryptionMaterialsRequest(header.Suite, _options.CommitmentPolicy, header.EncryptedDataKeys, header.EncryptionContext, _reproducedContext),
            cancellationToken).ConfigureAwait(false);

        // spec: client-apis/decrypt.md#parse-the-header — until the header verifies, nothing parsed from it is
        // released: the materials (and their encryption context) and the cipher stay local, and are disposed on failure.
        BodyCipher cipher;
        try
        {
            cipher = VerifyHeader(header, headerBytes.Span, bodyLength, materials);
        }
        catch
        {
            materials.Dispose();
            throw;
        }

        _materials = materials;
        _cipher = cipher;
        _header = header;
        if (header.Suite.IsSigning)
        {
            _signatureHash = IncrementalHash.CreateHash(header.Suite.SignatureHash);
            _signatureHash.AppendData(headerBytes.Span);
        }

        Stage = DecryptorStage.Body;
    }

    /// <summary>Checks the materials, the key commitment and the header tag; returns the body cipher (the caller owns it).</summary>
    private static BodyCipher VerifyHeader(MessageHeader header, ReadOnlySpan<byte> headerBytes, int bodyLength, DecryptionMaterials materials)
    {
        var suite = materials.Suite;
        if (suite != header.Suite || materials.PlaintextDataKey is null)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The materials manager returned materials for another suite or without a data key.");
        }

        if (suite.IsCommitting)
        {
            var expected = KeyDerivation.DeriveCommitmentKey(suite, materials.PlaintextDataKey, header.MessageId);
            if (!CryptographicOperations.FixedTimeEquals(expected, header.Commitment))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentMismatch, "The message's key commitment does not match its data key.");
            }
        }

        if (suite.IsSigning && materials.VerificationKey is null)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "Signed suite without a verification key.");
        }

        BodyCipher cipher;
        var derived = KeyDerivation.DeriveEncryptionKey(suite, materials.PlaintextDataKey, header.MessageId);
        try
        {
            cipher = new BodyCipher(derived, header.MessageId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }

        try
        {
            // spec: client-apis/decrypt.md#verify-the-header — AAD: header body || required (authenticate-only) context.
            var authenticatedOnly = materials.EncryptionContext
                .Where(pair => materials.RequiredEncryptionContextKeys.Contains(pair.Key))
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
            byte[] aad = [.. headerBytes[..bodyLength], .. EncryptionContextSerializer.Serialize(authenticatedOnly)];
            var iv = suite.IsCommitting ? new byte[AlgorithmSuite.IvLength] : header.HeaderIv;
            if (!cipher.VerifyHeader(iv, aad, header.HeaderTag))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.AuthenticationFailed, "The message header does not authenticate (tampered header, or a different encryption context).");
            }

            return cipher;
        }
        catch
        {
            cipher.Dispose();
            throw;
        }
    }

    /// <summary>Stops hashing records for the signature; the caller then passes the hash to <see cref="VerifySignature"/>.</summary>
    public void HashOutside() => _hashInline = false;

    /// <summary>
    /// Decrypts one body record (exactly <see cref="RequiredBytes"/> long) into <paramref name="plaintext"/>
    /// and returns the plaintext length. After the final record the stage is Footer (signed) or Done.
    /// </summary>
    public int DecryptRecord(ReadOnlySpan<byte> record, Span<byte> plaintext)
    {
        if (Stage != DecryptorStage.Body)
        {
            throw new InvalidOperationException("No body record is expected now.");
        }

        int written;
        if (Header.ContentType == ContentType.NonFramed)
        {
            var iv = record[..AlgorithmSuite.IvLength];
            var ciphertext = record[20..^AlgorithmSuite.TagLength];
            if (!_cipher!.TryDecrypt(iv, BodyAad.SingleBlock, 1, ciphertext, record[^AlgorithmSuite.TagLength..], plaintext[..ciphertext.Length]))
            {
                throw FrameFailed();
            }

            written = ciphertext.Length;
            Finish();
        }
        else
        {
            var final = BinaryPrimitives.ReadUInt32BigEndian(record) == BodyLayout.SequenceNumberEnd;
            var offset = final ? 4 : 0;
            var sequenceNumber = BinaryPrimitives.ReadUInt32BigEndian(record[offset..]);
            if (sequenceNumber != _sequenceNumber)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, $"Frame {sequenceNumber} found where frame {_sequenceNumber} was expected (frames reordered, dropped or repeated).");
            }

            var iv = record.Slice(offset + 4, AlgorithmSuite.IvLength);
            offset += 4 + AlgorithmSuite.IvLength + (final ? 4 : 0);
            var ciphertext = record[offset..^AlgorithmSuite.TagLength];
            if (!_cipher!.TryDecrypt(iv, final ? BodyAad.FinalFrame : BodyAad.RegularFrame, sequenceNumber, ciphertext, record[^AlgorithmSuite.TagLength..], plaintext[..ciphertext.Length]))
            {
                throw FrameFailed();
            }

            written = ciphertext.Length;
            _sequenceNumber++;
            if (final)
            {
                Finish();
            }
            else if (_sequenceNumber == BodyLayout.SequenceNumberEnd)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, "The message has more than 2^32 - 1 frames.");
            }
        }

        if (_hashInline)
        {
            _signatureHash?.AppendData(record);
        }

        return written;
    }

    /// <summary>Verifies the footer record (signed suites) against the hash of header and body; then the stage is Done.</summary>
    public void VerifyFooter(ReadOnlySpan<byte> footer)
    {
        if (Stage != DecryptorStage.Footer)
        {
            throw new InvalidOperationException("No footer is expected now.");
        }

        Span<byte> hash = stackalloc byte[64];
        var length = _signatureHash!.GetHashAndReset(hash);
        VerifySignature(hash[..length], footer);
    }

    /// <summary>Verifies the footer against a hash of header and body the caller computed.</summary>
    public void VerifySignature(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> footer)
    {
        if (!_materials!.VerificationKey!.VerifyHash(hash, footer[2..], DSASignatureFormat.Rfc3279DerSequence))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.SignatureInvalid, "The message signature does not verify (tampered message).");
        }

        Stage = DecryptorStage.Done;
    }

    private void Finish() => Stage = Suite.IsSigning ? DecryptorStage.Footer : DecryptorStage.Done;

    public static EncryptionSdkException Truncated() =>
        new(EncryptionSdkErrorReason.TruncatedMessage, "The message ended before it was complete (truncated).");

    private static EncryptionSdkException FrameFailed() =>
        new(EncryptionSdkErrorReason.AuthenticationFailed, "A message frame does not authenticate (tampered or truncated body).");

    public void Dispose()
    {
        _cipher?.Dispose();
        _signatureHash?.Dispose();
        _materials?.Dispose();
    }
}
