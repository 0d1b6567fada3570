using System.Security.Cryptography;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Keyhaven.Cli.Commands.Enclave;

/// <summary>
/// The parent side of the development enclave sample: it asks the enclave for an attestation document (with a fresh
/// nonce), asks KMS to Decrypt a data key with that document as the <c>Recipient</c>, and hands the
/// <c>CiphertextForRecipient</c> and the encrypted data to the enclave. The parent relays; it never holds the data key
/// or the plaintext (KMS returns no <c>Plaintext</c> when a Recipient is given, and the parent refuses one if it did).
/// </summary>
internal sealed class EnclaveParent(string socketPath, AmazonKeyManagementServiceClient kms)
{
    /// <summary>A KMS client from the AWS SDK's usual sources (environment, profiles), with the endpoint and region given here if any.</summary>
    public static AmazonKeyManagementServiceClient CreateKmsClient(string? endpointUrl, string? region)
    {
        var config = new AmazonKeyManagementServiceConfig();
        if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (endpointUrl is not null)
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region ?? config.RegionEndpoint?.SystemName ?? "us-east-1";
        }

        return new AmazonKeyManagementServiceClient(config);
    }

    /// <summary>Has the enclave decrypt <paramref name="data"/> with the data key in <paramref name="ciphertextBlob"/>; returns the enclave's answer.</summary>
    /// <exception cref="IOException">The enclave cannot be reached or refuses.</exception>
    /// <exception cref="AmazonKeyManagementServiceException">KMS refused (e.g. the key policy does not name this enclave's image).</exception>
    public async Task<EnclaveResponse> DecryptDataAsync(byte[] ciphertextBlob, byte[] data, CancellationToken cancellationToken)
    {
        var attested = await EnclaveChannel.AskAsync(socketPath, new EnclaveRequest(EnclaveRequest.Attest, Nonce: RandomNumberGenerator.GetBytes(32)), cancellationToken);
        var document = attested.Document ?? throw new IOException("The enclave gave no attestation document: " + attested.Error);

        var decrypted = await kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertextBlob),
            Recipient = new RecipientInfo { AttestationDocument = new MemoryStream(document), KeyEncryptionAlgorithm = KeyEncryptionMechanism.RSAES_OAEP_SHA_256 },
        }, cancellationToken);
        if (decrypted.Plaintext is { Length: > 0 } || decrypted.CiphertextForRecipient is not { Length: > 0 } sealedKey)
        {
            decrypted.Plaintext?.Dispose();
            throw new IOException("KMS did not answer with CiphertextForRecipient only; the parent relays nothing else.");
        }

        var answer = await EnclaveChannel.AskAsync(socketPath, new EnclaveRequest(EnclaveRequest.DecryptData, CiphertextForRecipient: sealedKey.ToArray(), Data: data), cancellationToken);
        return answer.Error is { } error ? throw new IOException("The enclave refused: " + error) : answer;
    }
}
