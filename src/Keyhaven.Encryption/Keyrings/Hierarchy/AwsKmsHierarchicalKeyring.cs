using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Wraps each data key under a branch key from a <see cref="BranchKeyStore"/> (see <see cref="BranchKeyWrapping"/>),
/// so KMS is called once per branch key version and cache TTL instead of once per message. Encrypting uses the
/// branch key's ACTIVE version; decrypting uses the version recorded in the encrypted data key, so messages made
/// before a <see cref="BranchKeyStore.VersionKeyAsync"/> keep decrypting. Decrypted branch keys are cached for
/// <see cref="CacheLimitTtl"/>. Encrypted data keys: provider id <c>aws-kms-hierarchy</c>, provider info the branch key
/// id. Thread safe; once disposed it throws <see cref="ObjectDisposedException"/> (its own cache is dropped after
/// the operations in flight end).
/// spec: framework/aws-kms/aws-kms-hierarchical-keyring.md
/// </summary>
public sealed class AwsKmsHierarchicalKeyring : IKeyring, IDisposable
{
    /// <summary>The entry capacity of the cache made when none is given.</summary>
    public const int DefaultCacheCapacity = 1000;

    private readonly string? _branchKeyId;
    private readonly IBranchKeyIdSupplier? _supplier;
    private readonly ICryptographicMaterialsCache _cache;
    private readonly LocalCryptographicMaterialsCache? _ownedCache;
    private readonly byte[] _partition;
    private readonly byte[] _logicalKeyStoreName;
    private readonly TimeProvider _time;
    private readonly KeyUseGuard _guard;

    /// <summary>A keyring for one branch key.</summary>
    public AwsKmsHierarchicalKeyring(BranchKeyStore keyStore, string branchKeyId, TimeSpan cacheLimitTtl, ICryptographicMaterialsCache? cache = null, string? partitionId = null, TimeProvider? timeProvider = null)
        : this(keyStore, branchKeyId, null, cacheLimitTtl, cache, partitionId, timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(branchKeyId);
    }

    /// <summary>A keyring that picks the branch key of each message from its encryption context.</summary>
    public AwsKmsHierarchicalKeyring(BranchKeyStore keyStore, IBranchKeyIdSupplier branchKeyIdSupplier, TimeSpan cacheLimitTtl, ICryptographicMaterialsCache? cache = null, string? partitionId = null, TimeProvider? timeProvider = null)
        : this(keyStore, null, branchKeyIdSupplier ?? throw new ArgumentNullException(nameof(branchKeyIdSupplier)), cacheLimitTtl, cache, partitionId, timeProvider)
    {
    }

    private AwsKmsHierarchicalKeyring(BranchKeyStore keyStore, string? branchKeyId, IBranchKeyIdSupplier? supplier, TimeSpan cacheLimitTtl, ICryptographicMaterialsCache? cache, string? partitionId, TimeProvider? timeProvider)
    {
        KeyStore = keyStore ?? throw new ArgumentNullException(nameof(keyStore));
        if (cacheLimitTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(cacheLimitTtl), $"The cache TTL must be above zero, not {cacheLimitTtl}.");
        }

        _branchKeyId = branchKeyId;
        _supplier = supplier;
        CacheLimitTtl = cacheLimitTtl;
        _time = timeProvider ?? TimeProvider.System;
        // spec: #initialization — a cache of 1000 entries of its own unless one (possibly shared) is given.
        _ownedCache = cache is null ? new LocalCryptographicMaterialsCache(DefaultCacheCapacity, timeProvider: _time) : null;
        _cache = cache ?? _ownedCache!;
        // spec: #partition-id — the UTF-8 of the caller's string, or the 16 bytes of a new v4 UUID.
        _partition = partitionId is null ? Guid.NewGuid().ToByteArray(bigEndian: true) : Encoding.UTF8.GetBytes(partitionId);
        _logicalKeyStoreName = Encoding.UTF8.GetBytes(keyStore.LogicalKeyStoreName);
        _guard = new KeyUseGuard(this, () => _ownedCache?.Dispose());
    }

    public BranchKeyStore KeyStore { get; }

    public TimeSpan CacheLimitTtl { get; }

    public async ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        using var use = _guard.Enter();
        var branchKeyId = BranchKeyIdFor(materials.EncryptionContext);
        var identifier = CacheIdentifier.Compute(CacheIdentifier.HierarchicalKeyring, CacheIdentifier.Encrypt, _partition, _logicalKeyStoreName, Encoding.UTF8.GetBytes(branchKeyId));
        using var branchKey = await GetBranchKeyAsync(identifier, () => KeyStore.GetActiveBranchKeyAsync(branchKeyId, cancellationToken)).ConfigureAwait(false);
        if (branchKey.BranchKeyIdentifier != branchKeyId)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store answered with branch key `{branchKey.BranchKeyIdentifier}`, not `{branchKeyId}`.");
        }

        var generated = materials.PlaintextDataKey is null;
        var dataKey = materials.PlaintextDataKey ?? RandomNumberGenerator.GetBytes(materials.Suite.KeyLength);
        byte[] ciphertext;
        try
        {
            ciphertext = BranchKeyWrapping.Wrap(branchKey, dataKey, materials.EncryptionContext);
        }
        catch
        {
            if (generated)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }

            throw;
        }

        // spec: #onencrypt — the materials change only once wrapping succeeded.
        if (generated)
        {
            materials.SetPlaintextDataKey(dataKey);
        }

        materials.EncryptedDataKeys.Add(new EncryptedDataKey(BranchKeyWrapping.ProviderId, Encoding.UTF8.GetBytes(branchKeyId), ciphertext));
    }

    public async ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        using var use = _guard.Enter();
        if (materials.PlaintextDataKey is not null)
        {
            return;
        }

        var branchKeyId = BranchKeyIdFor(materials.EncryptionContext);
        var expectedLength = BranchKeyWrapping.CiphertextLength(materials.Suite.KeyLength);
        var failures = new List<Exception>();
        foreach (var edk in encryptedDataKeys)
        {
            // spec: #ondecrypt — provider id, then the provider info must be this keyring's branch key id.
            if (edk.ProviderId != BranchKeyWrapping.ProviderId || !TryUtf8(edk.ProviderInfo, out var edkBranchKeyId) || edkBranchKeyId != branchKeyId)
            {
                continue;
            }

            if (edk.Ciphertext.Length != expectedLength)
            {
                failures.Add(new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"A hierarchical encrypted data key is {edk.Ciphertext.Length} bytes; suite {materials.Suite} needs {expectedLength}."));
                continue;
            }

            var version = BranchKeyWrapping.VersionString(edk.Ciphertext.AsSpan(BranchKeyWrapping.SaltLength + Suites.AlgorithmSuite.IvLength, BranchKeyWrapping.VersionLength));
            var identifier = CacheIdentifier.Compute(CacheIdentifier.HierarchicalKeyring, CacheIdentifier.Decrypt, _partition, _logicalKeyStoreName, Encoding.UTF8.GetBytes(branchKeyId), Encoding.UTF8.GetBytes(version));
            try
            {
                using var branchKey = await GetBranchKeyAsync(identifier, () => KeyStore.GetBranchKeyVersionAsync(branchKeyId, version, cancellationToken)).ConfigureAwait(false);
                var dataKey = BranchKeyWrapping.TryUnwrap(branchKey, edk.Ciphertext, materials.Suite.KeyLength, materials.EncryptionContext);
                if (dataKey is not null)
                {
                    materials.SetPlaintextDataKey(dataKey);
                    return;
                }

                failures.Add(new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The data key wrapped under branch key `{branchKeyId}` version `{version}` did not authenticate (a different encryption context, or tampering)."));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // spec: #ondecrypt — an error is collected and the next encrypted data key tried.
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, string.Join(" ", failures.Select(f => f.Message)), new AggregateException(failures));
        }
    }

    /// <summary>
    /// Drops the cache this keyring made, once the operations in flight end (a cache given to it stays with its
    /// owner); later operations throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose() => _guard.Dispose();

    private string BranchKeyIdFor(IReadOnlyDictionary<string, string> context)
    {
        var id = _branchKeyId ?? _supplier!.GetBranchKeyId(context);
        return string.IsNullOrEmpty(id)
            ? throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The branch key id supplier returned no branch key id.")
            : id;
    }

    // spec: #onencrypt / #ondecrypt — a cached entry is used only while now - creation <= this keyring's TTL (a shared
    // cache may hold entries another keyring put with a longer TTL); otherwise the store is asked and the cache filled.
    private async Task<BranchKeyMaterials> GetBranchKeyAsync(byte[] identifier, Func<Task<BranchKeyMaterials>> fromStore)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetCacheEntry(identifier, out var entry)
            && now - entry!.CreationTime <= CacheLimitTtl
            && entry.TryCopyMaterials((BranchKeyMaterials m) => m.Clone(), out var cached))
        {
            return cached!;
        }

        var materials = await fromStore().ConfigureAwait(false);
        _cache.PutCacheEntry(identifier, new CacheEntry(materials.Clone(), now, now + CacheLimitTtl));
        return materials;
    }

    private static bool TryUtf8(byte[] bytes, out string text)
    {
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
