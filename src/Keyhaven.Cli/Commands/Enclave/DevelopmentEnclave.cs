using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using Keyhaven.Attestation.Development;

namespace Keyhaven.Cli.Commands.Enclave;

/// <summary>
/// A process that behaves like a Nitro enclave for development: it holds an RSA-2048 key pair in memory only, answers
/// its parent over a Unix socket with attestation documents for its measured <see cref="EnclaveImage"/> (carrying the
/// key's public half, signed under a <see cref="DevelopmentRoot"/>, module id <c>dev:…</c>), and opens what KMS sealed
/// to that key (<c>CiphertextForRecipient</c>) to decrypt data, giving back only what it computed from the plaintext.
/// It isolates nothing: anyone who can read this process's memory has the key. Thread-safe.
/// </summary>
internal sealed class DevelopmentEnclave(DevelopmentRoot root, EnclaveImage image, string moduleName, TimeProvider time) : IDisposable
{
    private const int GcmNonce = 12, GcmTag = 16, DataKeyLength = 32;

    private readonly RSA _key = RSA.Create(2048);

    public EnclaveImage Image => image;

    /// <summary>Listens on <paramref name="socketPath"/> (created with mode 0600, removed at the end) until cancelled.</summary>
    /// <exception cref="IOException">Something already exists at that path.</exception>
    public async Task RunAsync(string socketPath, Action onListening, CancellationToken cancellationToken)
    {
        if (File.Exists(socketPath) || Directory.Exists(socketPath))
        {
            throw new IOException($"`{socketPath}` already exists; remove it or choose another socket path.");
        }

        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(16);
            onListening();
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                _ = ServeAsync(connection, cancellationToken);
            }
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        using (connection)
        {
            await using var stream = new NetworkStream(connection, ownsSocket: false);
            try
            {
                var request = await EnclaveChannel.ReadLineAsync(stream, EnclaveJsonContext.Default.EnclaveRequest, cancellationToken);
                if (request is not null)
                {
                    await EnclaveChannel.WriteLineAsync(stream, Handle(request), EnclaveJsonContext.Default.EnclaveResponse, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The parent went away or sent something unreadable: nothing to answer.
            }
        }
    }

    /// <summary>Answers one request; failures are answers with <see cref="EnclaveResponse.Error"/>, never exceptions.</summary>
    public EnclaveResponse Handle(EnclaveRequest request) => request.Operation switch
    {
        EnclaveRequest.Attest => Attest(request.Nonce),
        EnclaveRequest.DecryptData => DecryptData(request.CiphertextForRecipient, request.Data),
        _ => new EnclaveResponse(Error: $"Unknown operation `{request.Operation}`; expected {EnclaveRequest.Attest} or {EnclaveRequest.DecryptData}."),
    };

    private EnclaveResponse Attest(byte[]? nonce)
    {
        if (nonce is { Length: > 512 })
        {
            return new EnclaveResponse(Error: "The nonce is longer than 512 bytes.");
        }

        // A fresh leaf per document, as Nitro's signing certificates are short-lived.
        var now = time.GetUtcNow();
        using var attestor = new DevelopmentAttestor(root, moduleName, now);
        return new EnclaveResponse(Document: attestor.Attest(image.Pcrs(), now, _key.ExportSubjectPublicKeyInfo(), nonce: nonce));
    }

    private EnclaveResponse DecryptData(byte[]? ciphertextForRecipient, byte[]? data)
    {
        if (ciphertextForRecipient is null || data is not { Length: >= GcmNonce + GcmTag })
        {
            return new EnclaveResponse(Error: "DecryptData needs CiphertextForRecipient and Data (nonce | ciphertext | tag).");
        }

        byte[] dataKey;
        try
        {
            var envelope = new EnvelopedCms();
            envelope.Decode(ciphertextForRecipient);
            envelope.Decrypt(envelope.RecipientInfos[0], _key);
            dataKey = envelope.ContentInfo.Content;
        }
        catch (CryptographicException)
        {
            return new EnclaveResponse(Error: "CiphertextForRecipient does not open with this enclave's key.");
        }

        var plaintext = new byte[data.Length - GcmNonce - GcmTag];
        try
        {
            if (dataKey.Length != DataKeyLength)
            {
                return new EnclaveResponse(Error: $"The sealed key is {dataKey.Length} bytes; an AES-256 data key is {DataKeyLength}.");
            }

            using var aes = new AesGcm(dataKey, GcmTag);
            aes.Decrypt(data.AsSpan(0, GcmNonce), data.AsSpan(GcmNonce, plaintext.Length), data.AsSpan(GcmNonce + plaintext.Length), plaintext);

            // The application's work on the plaintext; only its result leaves the enclave.
            return new EnclaveResponse(PlaintextSha256: Convert.ToHexStringLower(SHA256.HashData(plaintext)), PlaintextLength: plaintext.Length);
        }
        catch (AuthenticationTagMismatchException)
        {
            return new EnclaveResponse(Error: "The data does not decrypt with the sealed key.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public void Dispose() => _key.Dispose();
}
