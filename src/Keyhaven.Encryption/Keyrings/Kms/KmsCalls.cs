using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>The KMS calls shared by the KMS keyrings: Decrypt of one encrypted data key, with its checks.</summary>
internal static class KmsCalls
{
    public const string ProviderId = "aws-kms";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decrypts <paramref name="edk"/> with <paramref name="keyArn"/> and sets the data key; returns the failure
    /// (or null on success) so the caller can try the next key.
    /// </summary>
    public static async Task<Exception?> TryDecryptAsync(IAmazonKeyManagementService kms, string keyArn, EncryptedDataKey edk, DecryptionMaterials materials, IReadOnlyList<string> grantTokens, CancellationToken cancellationToken)
    {
        DecryptResponse response;
        try
        {
            response = await kms.DecryptAsync(new DecryptRequest
            {
                KeyId = keyArn,
                CiphertextBlob = new MemoryStream(edk.Ciphertext),
                EncryptionContext = materials.EncryptionContext.ToDictionary(),
                GrantTokens = grantTokens.Count == 0 ? null : [.. grantTokens],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException)
        {
            return new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"KMS Decrypt with `{keyArn}` failed: {e.Message}", e);
        }

        var plaintext = TakePlaintext(response.Plaintext);
        if (response.KeyId != keyArn)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"KMS Decrypt answered for key `{response.KeyId}`, not `{keyArn}`.");
        }

        if (plaintext.Length != materials.Suite.KeyLength)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"KMS Decrypt returned {plaintext.Length} bytes; suite {materials.Suite} needs {materials.Suite.KeyLength}.");
        }

        materials.SetPlaintextDataKey(plaintext);
        return null;
    }

    /// <summary>
    /// Copies the plaintext key out of a KMS response and zeroes the response's buffer, which the AWS SDK never
    /// clears: through the buffer when the stream exposes it, otherwise by overwriting the stream's content.
    /// </summary>
    public static byte[] TakePlaintext(MemoryStream? response)
    {
        if (response is null)
        {
            return [];
        }

        var plaintext = response.ToArray();
        if (response.TryGetBuffer(out var buffer))
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan());
        }
        else if (response.CanWrite && response.CanSeek)
        {
            response.Position = 0;
            response.Write(new byte[response.Length]);
        }

        response.Position = 0;
        return plaintext;
    }

    /// <summary>
    /// The key ARN recorded in an <c>aws-kms</c> encrypted data key. Throws <see cref="EncryptionSdkException"/>
    /// (<see cref="EncryptionSdkErrorReason.KeyringFailure"/>) when the provider info is not a valid AWS KMS ARN with
    /// resource type <c>key</c>: the keyring's OnDecrypt then fails.
    /// spec: framework/aws-kms/aws-kms-keyring.md#ondecrypt, aws-kms-discovery-keyring.md#ondecrypt
    /// </summary>
    public static string RecordedKeyArn(EncryptedDataKey edk)
    {
        string recorded;
        try
        {
            recorded = StrictUtf8.GetString(edk.ProviderInfo);
        }
        catch (DecoderFallbackException)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "An aws-kms encrypted data key's provider info is not valid UTF-8, so not a KMS key ARN.");
        }

        return KmsIdentifier.IsValidKeyArn(recorded)
            ? recorded
            : throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"An aws-kms encrypted data key names `{recorded}`, which is not a KMS key ARN.");
    }

    public static EncryptionSdkException NoKey(IReadOnlyCollection<Exception> failures) =>
        failures.Count == 0
            ? new EncryptionSdkException(EncryptionSdkErrorReason.NoDecryptableDataKey, "The message has no encrypted data key for this KMS keyring.")
            : new EncryptionSdkException(EncryptionSdkErrorReason.NoDecryptableDataKey, $"No encrypted data key could be decrypted with KMS: {string.Join(" ", failures.Select(f => f.Message))}", new AggregateException(failures));
}
