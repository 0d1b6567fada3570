using Keyhaven.Encryption.Keyrings;

namespace Keyhaven.Encryption.Materials;

/// <summary>
/// Makes some context keys required: they must be present on encrypt, are authenticated but not stored in the
/// message, and must be supplied again (reproduced) on decrypt. Thread safe if the underlying manager is.
/// spec: framework/required-encryption-context-cmm.md
/// </summary>
public sealed class RequiredEncryptionContextCryptographicMaterialsManager : ICryptographicMaterialsManager
{
    private readonly HashSet<string> _requiredKeys;

    public RequiredEncryptionContextCryptographicMaterialsManager(ICryptographicMaterialsManager underlying, IEnumerable<string> requiredKeys)
    {
        Underlying = underlying ?? throw new ArgumentNullException(nameof(underlying));
        _requiredKeys = new HashSet<string>(requiredKeys, StringComparer.Ordinal);
        if (_requiredKeys.Count == 0)
        {
            throw new ArgumentException("At least one required encryption context key is needed.", nameof(requiredKeys));
        }
    }

    public RequiredEncryptionContextCryptographicMaterialsManager(IKeyring keyring, IEnumerable<string> requiredKeys)
        : this(new DefaultCryptographicMaterialsManager(keyring), requiredKeys)
    {
    }

    public ICryptographicMaterialsManager Underlying { get; }

    public IReadOnlySet<string> RequiredKeys => _requiredKeys;

    public async ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        foreach (var key in _requiredKeys)
        {
            if (!request.EncryptionContext.ContainsKey(key))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.EncryptionContextMismatch, $"The encryption context lacks the required key `{key}`.");
            }
        }

        var keys = new HashSet<string>(request.RequiredEncryptionContextKeys, StringComparer.Ordinal);
        keys.UnionWith(_requiredKeys);
        var materials = await Underlying.GetEncryptionMaterialsAsync(request with { RequiredEncryptionContextKeys = keys }, cancellationToken).ConfigureAwait(false);
        if (!_requiredKeys.IsSubsetOf(materials.RequiredEncryptionContextKeys))
        {
            materials.Dispose();
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The underlying materials manager dropped required encryption context keys.");
        }

        return materials;
    }

    public async ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        foreach (var key in _requiredKeys)
        {
            if (!request.ReproducedEncryptionContext.ContainsKey(key))
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.EncryptionContextMismatch, $"The required encryption context key `{key}` was not supplied on decrypt.");
            }
        }

        var materials = await Underlying.DecryptMaterialsAsync(request, cancellationToken).ConfigureAwait(false);
        if (!_requiredKeys.All(materials.EncryptionContext.ContainsKey))
        {
            materials.Dispose();
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The underlying materials manager dropped required encryption context keys.");
        }

        return materials;
    }
}
