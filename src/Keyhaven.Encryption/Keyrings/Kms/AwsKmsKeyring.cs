using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>
/// Wraps data keys with one KMS key (GenerateDataKey or Encrypt) and unwraps those wrapped by it (Decrypt), passing
/// the encryption context and grant tokens to KMS. Works with any endpoint the client is configured for: Keyhaven or
/// AWS KMS. The provider info of each encrypted data key is the key ARN that KMS reports. Thread safe.
/// spec: framework/aws-kms/aws-kms-keyring.md
/// </summary>
public sealed class AwsKmsKeyring : IKeyring
{
    private readonly IAmazonKeyManagementService _kms;

    /// <param name="keyId">A key ARN (required to decrypt: it must equal the ARN in the message), or for encrypt-only use a key id, alias name or alias ARN.</param>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is none of these forms.</exception>
    public AwsKmsKeyring(IAmazonKeyManagementService kms, string keyId, IReadOnlyList<string>? grantTokens = null)
    {
        _kms = kms ?? throw new ArgumentNullException(nameof(kms));
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        // spec: framework/aws-kms/aws-kms-keyring.md#initialization — a valid AWS KMS identifier.
        if (!KmsIdentifier.IsValid(keyId))
        {
            throw new ArgumentException($"`{keyId}` is not an AWS KMS key identifier: a key id, key ARN, alias name (`alias/NAME`) or alias ARN of at most {KmsIdentifier.MaxLength} characters.", nameof(keyId));
        }

        KeyId = keyId;
        GrantTokens = grantTokens ?? [];
    }

    public string KeyId { get; }

    public IReadOnlyList<string> GrantTokens { get; }

    /// <summary>A multi-keyring: <paramref name="generator"/> makes the data key, every other key wraps it too.</summary>
    public static IKeyring CreateMulti(IAmazonKeyManagementService kms, string generator, IEnumerable<string> others, IReadOnlyList<string>? grantTokens = null) =>
        new MultiKeyring(new AwsKmsKeyring(kms, generator, grantTokens), [.. others.Select(k => new AwsKmsKeyring(kms, k, grantTokens))]);

    public async ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        var context = materials.EncryptionContext.ToDictionary();
        var tokens = GrantTokens.Count == 0 ? null : GrantTokens.ToList();
        try
        {
            string keyArn;
            byte[] ciphertext;
            if (materials.PlaintextDataKey is null)
            {
                var response = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest
                {
                    KeyId = KeyId,
                    NumberOfBytes = materials.Suite.KeyLength,
                    EncryptionContext = context,
                    GrantTokens = tokens,
                }, cancellationToken).ConfigureAwait(false);
                var plaintext = KmsCalls.TakePlaintext(response.Plaintext);
                if (plaintext.Length != materials.Suite.KeyLength)
                {
                    CryptographicOperations.ZeroMemory(plaintext);
                    throw Failure($"KMS GenerateDataKey returned {plaintext.Length} bytes; suite {materials.Suite} needs {materials.Suite.KeyLength}.");
                }

                materials.SetPlaintextDataKey(plaintext);
                keyArn = response.KeyId;
                ciphertext = response.CiphertextBlob.ToArray();
            }
            else
            {
                var response = await _kms.EncryptAsync(new EncryptRequest
                {
                    KeyId = KeyId,
                    Plaintext = new MemoryStream(materials.PlaintextDataKey),
                    EncryptionContext = context,
                    GrantTokens = tokens,
                }, cancellationToken).ConfigureAwait(false);
                keyArn = response.KeyId;
                ciphertext = response.CiphertextBlob.ToArray();
            }

            if (!KmsKeyArn.TryParse(keyArn, out _))
            {
                throw Failure($"KMS answered with `{keyArn}`, which is not a key ARN.");
            }

            materials.EncryptedDataKeys.Add(new EncryptedDataKey(KmsCalls.ProviderId, Encoding.UTF8.GetBytes(keyArn), ciphertext));
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException)
        {
            throw Failure($"KMS call with `{KeyId}` failed: {e.Message}", e);
        }
    }

    public async ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        if (materials.PlaintextDataKey is not null)
        {
            return;
        }

        // spec: #ondecrypt — filter first: an aws-kms key whose provider info is not a key ARN fails OnDecrypt.
        var matching = encryptedDataKeys.Where(edk => edk.ProviderId == KmsCalls.ProviderId && KmsCalls.RecordedKeyArn(edk) == KeyId).ToList();
        var failures = new List<Exception>();
        foreach (var edk in matching)
        {
            var failure = await KmsCalls.TryDecryptAsync(_kms, KeyId, edk, materials, GrantTokens, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return;
            }

            failures.Add(failure);
        }

        if (failures.Count > 0)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, KmsCalls.NoKey(failures).Message, new AggregateException(failures));
        }
    }

    private static EncryptionSdkException Failure(string message, Exception? inner = null) => new(EncryptionSdkErrorReason.KeyringFailure, message, inner);
}
