using Amazon.KeyManagementService;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>
/// Decrypt-only: asks KMS to decrypt each encrypted data key with the key ARN recorded in it, optionally only for
/// keys of the accounts and partition in a <see cref="DiscoveryFilter"/>. Encrypting with it fails. Thread safe.
/// spec: framework/aws-kms/aws-kms-discovery-keyring.md
/// </summary>
public sealed class AwsKmsDiscoveryKeyring : IKeyring
{
    private readonly IAmazonKeyManagementService _kms;

    public AwsKmsDiscoveryKeyring(IAmazonKeyManagementService kms, DiscoveryFilter? filter = null, IReadOnlyList<string>? grantTokens = null)
    {
        _kms = kms ?? throw new ArgumentNullException(nameof(kms));
        Filter = filter;
        GrantTokens = grantTokens ?? [];
    }

    public DiscoveryFilter? Filter { get; }

    public IReadOnlyList<string> GrantTokens { get; }

    public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default) =>
        throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, "A KMS discovery keyring cannot encrypt; name a KMS key with AwsKmsKeyring.");

    public async ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        if (materials.PlaintextDataKey is not null)
        {
            return;
        }

        // spec: #ondecrypt — filter first: an aws-kms key whose provider info is not a key ARN fails OnDecrypt; then
        // the discovery filter's partition and accounts.
        var matching = new List<(EncryptedDataKey Edk, string Recorded)>();
        foreach (var edk in encryptedDataKeys.Where(edk => edk.ProviderId == KmsCalls.ProviderId))
        {
            var recorded = KmsCalls.RecordedKeyArn(edk);
            if (KmsKeyArn.TryParse(recorded, out var arn) && (Filter is null || Filter.Allows(arn.Value)))
            {
                matching.Add((edk, recorded));
            }
        }

        var failures = new List<Exception>();
        foreach (var (edk, recorded) in matching)
        {
            var failure = await KmsCalls.TryDecryptAsync(_kms, recorded, edk, materials, GrantTokens, cancellationToken).ConfigureAwait(false);
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
}
