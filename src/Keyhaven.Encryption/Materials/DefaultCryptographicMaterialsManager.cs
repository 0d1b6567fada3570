using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Keyrings;

namespace Keyhaven.Encryption.Materials;

/// <summary>
/// Chooses the suite (the policy's default unless one is asked for), makes the signing key of signed suites and
/// puts its public half in the context, and calls the keyring. On decrypt it checks the reproduced context
/// against the stored one and adds the reproduced pairs the message did not store. Thread safe.
/// spec: framework/default-cmm.md
/// </summary>
public sealed class DefaultCryptographicMaterialsManager : ICryptographicMaterialsManager
{
    public DefaultCryptographicMaterialsManager(IKeyring keyring)
    {
        Keyring = keyring ?? throw new ArgumentNullException(nameof(keyring));
    }

    public IKeyring Keyring { get; }

    public async ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        var suite = request.Suite ?? Suites.AlgorithmSuite.DefaultFor(request.CommitmentPolicy);
        if (!suite.AllowsEncrypt(request.CommitmentPolicy))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentPolicyViolation, $"The commitment policy {request.CommitmentPolicy} does not allow encrypting with suite {suite}.");
        }

        if (request.EncryptionContext.ContainsKey(EncryptionContextSerializer.PublicKeyKey))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"The encryption context must not contain the reserved key `{EncryptionContextSerializer.PublicKeyKey}`.");
        }

        var context = new Dictionary<string, string>(request.EncryptionContext, StringComparer.Ordinal);
        var signingKey = suite.IsSigning ? SignatureKeys.Generate(suite) : null;
        if (signingKey is not null)
        {
            context[EncryptionContextSerializer.PublicKeyKey] = SignatureKeys.ToCompressedBase64(signingKey);
        }

        var materials = new EncryptionMaterials(suite, context)
        {
            SigningKey = signingKey,
            RequiredEncryptionContextKeys = request.RequiredEncryptionContextKeys,
        };
        try
        {
            await Keyring.OnEncryptAsync(materials, cancellationToken).ConfigureAwait(false);
            if (materials.PlaintextDataKey is null || materials.EncryptedDataKeys.Count == 0)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The keyring produced no data key or no encrypted data key.");
            }

            return materials;
        }
        catch
        {
            materials.Dispose();
            throw;
        }
    }

    public async ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        var suite = request.Suite;
        if (!suite.AllowsDecrypt(request.CommitmentPolicy))
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.CommitmentPolicyViolation, $"The commitment policy {request.CommitmentPolicy} does not allow decrypting suite {suite} (it has no key commitment).");
        }

        var hasPublicKey = request.EncryptionContext.TryGetValue(EncryptionContextSerializer.PublicKeyKey, out var publicKey);
        if (suite.IsSigning != hasPublicKey)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, suite.IsSigning
                ? $"Suite {suite} is signed but the encryption context has no `{EncryptionContextSerializer.PublicKeyKey}`."
                : $"Suite {suite} is not signed but the encryption context has `{EncryptionContextSerializer.PublicKeyKey}`.");
        }

        // spec: framework/cmm-interface.md#decrypt-materials — shared keys must agree; reproduced keys the message
        // did not store are required keys: authenticated, not stored.
        var context = new Dictionary<string, string>(request.EncryptionContext, StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.ReproducedEncryptionContext)
        {
            if (request.EncryptionContext.TryGetValue(key, out var stored))
            {
                if (!string.Equals(stored, value, StringComparison.Ordinal))
                {
                    throw new EncryptionSdkException(EncryptionSdkErrorReason.EncryptionContextMismatch, $"The encryption context key `{key}` has a different value in the message.");
                }
            }
            else
            {
                context[key] = value;
                required.Add(key);
            }
        }

        var materials = new DecryptionMaterials(suite, context)
        {
            VerificationKey = hasPublicKey ? SignatureKeys.FromCompressedBase64(suite, publicKey!) : null,
            RequiredEncryptionContextKeys = required,
        };
        try
        {
            await Keyring.OnDecryptAsync(materials, request.EncryptedDataKeys, cancellationToken).ConfigureAwait(false);
            if (materials.PlaintextDataKey is null)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.NoDecryptableDataKey, "None of the message's encrypted data keys could be decrypted by the keyring (wrong key, or a different encryption context).");
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
