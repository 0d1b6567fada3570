using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Message;
using Keyhaven.Encryption.Streams;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption;

/// <summary>
/// Encrypts and decrypts messages in the AWS Encryption SDK message format (versions 1 and 2), with byte arrays or
/// streams. Thread safe: one client may serve concurrent calls.
/// spec: client-apis/client.md, client-apis/encrypt.md, client-apis/decrypt.md
/// </summary>
public sealed class EncryptionClient
{
    public EncryptionClient(EncryptionClientOptions? options = null)
    {
        Options = options ?? new EncryptionClientOptions();
    }

    public EncryptionClientOptions Options { get; }

    /// <summary>Encrypts with the default materials manager over <paramref name="keyring"/>.</summary>
    public ValueTask<EncryptResult> EncryptAsync(ReadOnlyMemory<byte> plaintext, IKeyring keyring, EncryptOptions? options = null, CancellationToken cancellationToken = default) =>
        EncryptAsync(plaintext, new DefaultCryptographicMaterialsManager(keyring), options, cancellationToken);

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into one message. Throws <see cref="EncryptionSdkException"/> when the
    /// context uses a reserved key, the suite is refused by the commitment policy, or the keyring fails.
    /// </summary>
    public async ValueTask<EncryptResult> EncryptAsync(ReadOnlyMemory<byte> plaintext, ICryptographicMaterialsManager cmm, EncryptOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EncryptOptions();
        using var materials = await GetEncryptionMaterialsAsync(cmm, options, plaintext.Length, cancellationToken).ConfigureAwait(false);
        using var encryptor = new MessageEncryptor(materials, options.FrameLength, hashForSignature: !MessageWriter.HashesInParallel(materials.Suite.IsSigning, plaintext.Length));
        var ciphertext = MessageWriter.WriteMessage(encryptor, plaintext.Span);
        return new EncryptResult(ciphertext, materials.EncryptionContext, materials.Suite.Id);
    }

    /// <summary>Synchronous <see cref="EncryptAsync(ReadOnlyMemory{byte}, IKeyring, EncryptOptions?, CancellationToken)"/>.</summary>
    public EncryptResult Encrypt(ReadOnlyMemory<byte> plaintext, IKeyring keyring, EncryptOptions? options = null) =>
        EncryptAsync(plaintext, keyring, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Synchronous <see cref="EncryptAsync(ReadOnlyMemory{byte}, ICryptographicMaterialsManager, EncryptOptions?, CancellationToken)"/>.</summary>
    public EncryptResult Encrypt(ReadOnlyMemory<byte> plaintext, ICryptographicMaterialsManager cmm, EncryptOptions? options = null) =>
        EncryptAsync(plaintext, cmm, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Decrypts with the default materials manager over <paramref name="keyring"/>.</summary>
    public ValueTask<DecryptResult> DecryptAsync(ReadOnlyMemory<byte> message, IKeyring keyring, DecryptOptions? options = null, CancellationToken cancellationToken = default) =>
        DecryptAsync(message, new DefaultCryptographicMaterialsManager(keyring), options, cancellationToken);

    /// <summary>
    /// Decrypts one complete message; nothing is returned unless every frame and the signature verify and no byte
    /// follows the message. Throws <see cref="EncryptionSdkException"/> with the reason otherwise.
    /// </summary>
    public async ValueTask<DecryptResult> DecryptAsync(ReadOnlyMemory<byte> message, ICryptographicMaterialsManager cmm, DecryptOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DecryptOptions();
        using var decryptor = new MessageDecryptor(Options, options with { SignedMessages = options.SignedMessages == SignedMessagePolicy.Refuse ? SignedMessagePolicy.Refuse : SignedMessagePolicy.BufferUntilVerified }, cmm);
        var headerLength = decryptor.RequiredBytes(message.Span);
        if (headerLength > message.Length)
        {
            throw MessageDecryptor.Truncated();
        }

        await decryptor.ReadHeaderAsync(message[..headerLength], cancellationToken).ConfigureAwait(false);
        var plaintext = MessageReader.ReadBody(decryptor, message, headerLength);
        return new DecryptResult(plaintext, decryptor.EncryptionContext, decryptor.Suite.Id);
    }

    /// <summary>Synchronous <see cref="DecryptAsync(ReadOnlyMemory{byte}, IKeyring, DecryptOptions?, CancellationToken)"/>.</summary>
    public DecryptResult Decrypt(ReadOnlyMemory<byte> message, IKeyring keyring, DecryptOptions? options = null) =>
        DecryptAsync(message, keyring, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Synchronous <see cref="DecryptAsync(ReadOnlyMemory{byte}, ICryptographicMaterialsManager, DecryptOptions?, CancellationToken)"/>.</summary>
    public DecryptResult Decrypt(ReadOnlyMemory<byte> message, ICryptographicMaterialsManager cmm, DecryptOptions? options = null) =>
        DecryptAsync(message, cmm, options).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// A write-only stream that encrypts what is written to it into <paramref name="destination"/>. Call
    /// <see cref="EncryptingStream.CompleteAsync"/> to write the final frame and footer; a stream disposed without
    /// completing leaves a truncated message that no decryptor accepts.
    /// </summary>
    public async ValueTask<EncryptingStream> CreateEncryptingStreamAsync(Stream destination, ICryptographicMaterialsManager cmm, EncryptOptions? options = null, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new EncryptOptions();
        if (options.FrameLength == 0)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, "Streaming encryption needs framed content (a frame length above 0).");
        }

        var materials = await GetEncryptionMaterialsAsync(cmm, options, options.PlaintextLengthBound, cancellationToken).ConfigureAwait(false);
        try
        {
            return new EncryptingStream(destination, materials, options.FrameLength, leaveOpen, options.PlaintextLengthBound);
        }
        catch
        {
            materials.Dispose(); // the stream owns the materials only once it exists
            throw;
        }
    }

    /// <inheritdoc cref="CreateEncryptingStreamAsync(Stream, ICryptographicMaterialsManager, EncryptOptions?, bool, CancellationToken)"/>
    public ValueTask<EncryptingStream> CreateEncryptingStreamAsync(Stream destination, IKeyring keyring, EncryptOptions? options = null, bool leaveOpen = false, CancellationToken cancellationToken = default) =>
        CreateEncryptingStreamAsync(destination, new DefaultCryptographicMaterialsManager(keyring), options, leaveOpen, cancellationToken);

    /// <summary>
    /// A read-only stream of the plaintext of the message read from <paramref name="source"/>, in constant memory
    /// for framed messages. See <see cref="DecryptOptions.SignedMessages"/> for signed suites.
    /// </summary>
    public DecryptingStream CreateDecryptingStream(Stream source, ICryptographicMaterialsManager cmm, DecryptOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new DecryptOptions();
        return new DecryptingStream(source, new MessageDecryptor(Options, options, cmm), options, leaveOpen);
    }

    /// <inheritdoc cref="CreateDecryptingStream(Stream, ICryptographicMaterialsManager, DecryptOptions?, bool)"/>
    public DecryptingStream CreateDecryptingStream(Stream source, IKeyring keyring, DecryptOptions? options = null, bool leaveOpen = false) =>
        CreateDecryptingStream(source, new DefaultCryptographicMaterialsManager(keyring), options, leaveOpen);

    private async ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(ICryptographicMaterialsManager cmm, EncryptOptions options, long? plaintextLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cmm);
        foreach (var key in options.EncryptionContext.Keys)
        {
            if (key.StartsWith(EncryptionContextSerializer.ReservedPrefix, StringComparison.Ordinal))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"The encryption context key `{key}` is reserved (keys starting with `{EncryptionContextSerializer.ReservedPrefix}`).");
            }
        }

        var policy = Options.CommitmentPolicy;
        AlgorithmSuite? suite = options.Suite is { } id ? AlgorithmSuite.FromId(id)
            : options.Sign ? null
            : policy == CommitmentPolicy.ForbidEncryptAllowDecrypt ? AlgorithmSuite.AesGcm256HkdfSha256 : AlgorithmSuite.AesGcm256HkdfSha512Commit;
        if (suite is not null && !suite.AllowsEncrypt(policy))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentPolicyViolation, $"The commitment policy {policy} does not allow encrypting with suite {suite}.");
        }

        var materials = await cmm.GetEncryptionMaterialsAsync(new EncryptionMaterialsRequest(options.EncryptionContext, policy, suite, plaintextLength), cancellationToken).ConfigureAwait(false);
        try
        {
            // spec: client-apis/encrypt.md#get-the-encryption-materials — the materials' suite MAY differ from the one
            // asked for (it is the one used); it must be one the commitment policy allows.
            if (!materials.Suite.AllowsEncrypt(policy))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentPolicyViolation, $"The materials manager chose suite {materials.Suite}, which the commitment policy {policy} does not allow.");
            }

            if (materials.EncryptedDataKeys.Count > Options.MaxEncryptedDataKeys)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.TooManyEncryptedDataKeys, $"The keyring made {materials.EncryptedDataKeys.Count} encrypted data keys; at most {Options.MaxEncryptedDataKeys} are allowed.");
            }

            return materials;
        }
        catch
        {
            materials.Dispose();
            throw;
        }
    }
}
