using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Encryption.Keyrings.Kms;

namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Creates, versions and reads branch keys. A branch key is 32 random bytes that KMS makes without revealing them
/// (GenerateDataKeyWithoutPlaintext) under one KMS key, wrapped with an encryption context binding every stored
/// attribute and the logical key store name; reading it is a KMS Decrypt with that context, so a stored item that
/// was changed, moved to another branch key or store, or wrapped by another KMS key fails to decrypt. Items live in an
/// <see cref="IBranchKeyStorage"/> instead of DynamoDB. Thread safe.
/// spec: framework/branch-key-store.md
/// </summary>
public sealed class BranchKeyStore
{
    private const int BranchKeyLength = 32;
    private readonly IAmazonKeyManagementService _kms;
    private readonly TimeProvider _time;

    /// <param name="kms">Client for the KMS endpoint that holds <paramref name="kmsKeyArn"/> (Keyhaven or AWS KMS).</param>
    /// <param name="kmsKeyArn">The symmetric KMS key that wraps the branch keys: a key ARN, not an alias.</param>
    /// <param name="logicalKeyStoreName">Bound into every branch key's encryption context (<c>tablename</c>).</param>
    /// <param name="storage">Where the wrapped items are kept.</param>
    public BranchKeyStore(IAmazonKeyManagementService kms, string kmsKeyArn, string logicalKeyStoreName, IBranchKeyStorage storage, IReadOnlyList<string>? grantTokens = null, TimeProvider? timeProvider = null)
    {
        _kms = kms ?? throw new ArgumentNullException(nameof(kms));
        Storage = storage ?? throw new ArgumentNullException(nameof(storage));
        ArgumentException.ThrowIfNullOrEmpty(logicalKeyStoreName);
        // spec: branch-key-store.md#aws-kms-configuration — a key ARN, never an alias.
        if (!Kms.KmsKeyArn.TryParse(kmsKeyArn, out _))
        {
            throw new ArgumentException($"`{kmsKeyArn}` is not a KMS key ARN (aliases are not accepted).", nameof(kmsKeyArn));
        }

        KmsKeyArn = kmsKeyArn;
        LogicalKeyStoreName = logicalKeyStoreName;
        GrantTokens = grantTokens ?? [];
        _time = timeProvider ?? TimeProvider.System;
    }

    public string KmsKeyArn { get; }

    public string LogicalKeyStoreName { get; }

    public IReadOnlyList<string> GrantTokens { get; }

    public IBranchKeyStorage Storage { get; }

    /// <summary>
    /// Creates a branch key (its first version, the ACTIVE item and the beacon key) and returns its id: a new UUID
    /// unless <paramref name="branchKeyId"/> is given, which then needs an <paramref name="encryptionContext"/>.
    /// Throws <see cref="EncryptionSdkException"/> if the id exists or KMS fails.
    /// spec: branch-key-store.md#createkey
    /// </summary>
    public async Task<string> CreateKeyAsync(string? branchKeyId = null, IReadOnlyDictionary<string, string>? encryptionContext = null, CancellationToken cancellationToken = default)
    {
        if (branchKeyId is not null && encryptionContext is null)
        {
            throw Failure(EncryptionSdkErrorReason.InvalidInput, "A branch key id given to CreateKey needs an encryption context as well.");
        }

        if (branchKeyId is { Length: 0 })
        {
            throw Failure(EncryptionSdkErrorReason.InvalidInput, "The branch key id must not be empty.");
        }

        branchKeyId ??= Guid.NewGuid().ToString();
        var custom = (encryptionContext ?? new Dictionary<string, string>()).ToDictionary(p => BranchKeyItem.CustomContextPrefix + p.Key, p => p.Value, StringComparer.Ordinal);
        var (version, active) = await NewVersionAsync(branchKeyId, custom, cancellationToken).ConfigureAwait(false);

        // spec: branch-key-store.md#branch-key-and-beacon-key-creation — the beacon key shares id and timestamp.
        var beaconAttributes = new Dictionary<string, string>(version.Attributes, StringComparer.Ordinal) { [BranchKeyItem.TypeField] = BranchKeyItem.BeaconActiveType };
        var beaconEnc = await CallKmsAsync(async () => (await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = KmsKeyArn,
            NumberOfBytes = BranchKeyLength,
            EncryptionContext = ContextOf(beaconAttributes),
            GrantTokens = Tokens(),
        }, cancellationToken).ConfigureAwait(false)).CiphertextBlob.ToArray()).ConfigureAwait(false);

        if (!await Storage.TryWriteNewBranchKeyAsync([version, active, new BranchKeyItem(beaconAttributes, beaconEnc)], cancellationToken).ConfigureAwait(false))
        {
            throw Failure(EncryptionSdkErrorReason.InvalidInput, $"The branch key `{branchKeyId}` already exists in `{Storage.Name}`.");
        }

        return branchKeyId;
    }

    /// <summary>
    /// Makes a new version of the branch key and makes it ACTIVE; earlier versions keep decrypting. The custom
    /// encryption context carries over. Throws <see cref="EncryptionSdkException"/> if the key does not exist, its
    /// ACTIVE item fails to authenticate, or another writer versioned it at the same time.
    /// spec: branch-key-store.md#versionkey
    /// </summary>
    public async Task VersionKeyAsync(string branchKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(branchKeyId);
        var current = await GetCheckedItemAsync(branchKeyId, BranchKeyItem.ActiveType, cancellationToken).ConfigureAwait(false);

        // spec: branch-key-store.md#authenticating-a-keystore-item — ReEncrypt under the same context proves the item.
        var context = ContextOf(current.Attributes);
        await CallKmsAsync(() => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(current.Enc),
            SourceKeyId = KmsKeyArn,
            SourceEncryptionContext = context,
            DestinationKeyId = KmsKeyArn,
            DestinationEncryptionContext = context,
            GrantTokens = Tokens(),
        }, cancellationToken)).ConfigureAwait(false);

        var custom = current.Attributes.Where(p => p.Key.StartsWith(BranchKeyItem.CustomContextPrefix, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);
        var (version, active) = await NewVersionAsync(branchKeyId, custom, cancellationToken).ConfigureAwait(false);
        if (!await Storage.TryWriteNewVersionAsync(version, active, current.Enc, cancellationToken).ConfigureAwait(false))
        {
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"The branch key `{branchKeyId}` was versioned by another writer at the same time; try again.");
        }
    }

    /// <summary>The ACTIVE version of the branch key, decrypted by KMS. spec: branch-key-store.md#getactivebranchkey</summary>
    public async Task<BranchKeyMaterials> GetActiveBranchKeyAsync(string branchKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(branchKeyId);
        var item = await GetCheckedItemAsync(branchKeyId, BranchKeyItem.ActiveType, cancellationToken).ConfigureAwait(false);
        return await DecryptAsync(item, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One version of the branch key, decrypted by KMS. spec: branch-key-store.md#getbranchkeyversion</summary>
    public async Task<BranchKeyMaterials> GetBranchKeyVersionAsync(string branchKeyId, string branchKeyVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(branchKeyId);
        ArgumentException.ThrowIfNullOrEmpty(branchKeyVersion);
        var item = await GetCheckedItemAsync(branchKeyId, BranchKeyItem.VersionTypePrefix + branchKeyVersion, cancellationToken).ConfigureAwait(false);
        return await DecryptAsync(item, cancellationToken).ConfigureAwait(false);
    }

    // spec: branch-key-store.md#wrapped-branch-key-creation — GenerateDataKeyWithoutPlaintext under the DECRYPT_ONLY
    // context, then ReEncrypt to the ACTIVE context: both items hold the same key.
    private async Task<(BranchKeyItem Version, BranchKeyItem Active)> NewVersionAsync(string branchKeyId, IReadOnlyDictionary<string, string> custom, CancellationToken cancellationToken)
    {
        var version = Guid.NewGuid().ToString();
        var decryptOnly = new Dictionary<string, string>(custom, StringComparer.Ordinal)
        {
            [BranchKeyItem.BranchKeyIdField] = branchKeyId,
            [BranchKeyItem.TypeField] = BranchKeyItem.VersionTypePrefix + version,
            // spec: ISO 8601 in UTC to microsecond precision.
            [BranchKeyItem.CreateTimeField] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            [BranchKeyItem.KmsArnField] = KmsKeyArn,
            [BranchKeyItem.HierarchyVersionField] = BranchKeyItem.HierarchyVersion,
        };
        var active = new Dictionary<string, string>(decryptOnly, StringComparer.Ordinal)
        {
            [BranchKeyItem.TypeField] = BranchKeyItem.ActiveType,
            [BranchKeyItem.VersionField] = BranchKeyItem.VersionTypePrefix + version,
        };
        var decryptOnlyEnc = await CallKmsAsync(async () => (await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = KmsKeyArn,
            NumberOfBytes = BranchKeyLength,
            EncryptionContext = ContextOf(decryptOnly),
            GrantTokens = Tokens(),
        }, cancellationToken).ConfigureAwait(false)).CiphertextBlob.ToArray()).ConfigureAwait(false);
        var activeEnc = await CallKmsAsync(async () => (await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(decryptOnlyEnc),
            SourceKeyId = KmsKeyArn,
            SourceEncryptionContext = ContextOf(decryptOnly),
            DestinationKeyId = KmsKeyArn,
            DestinationEncryptionContext = ContextOf(active),
            GrantTokens = Tokens(),
        }, cancellationToken).ConfigureAwait(false)).CiphertextBlob.ToArray()).ConfigureAwait(false);
        return (new BranchKeyItem(decryptOnly, decryptOnlyEnc), new BranchKeyItem(active, activeEnc));
    }

    // spec: branch-key-store.md#record-format — the item has the fields, and is the one asked for.
    private async Task<BranchKeyItem> GetCheckedItemAsync(string branchKeyId, string type, CancellationToken cancellationToken)
    {
        BranchKeyItem? stored;
        try
        {
            stored = await Storage.GetItemAsync(branchKeyId, type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (EncryptionSdkException or OperationCanceledException))
        {
            // Any IBranchKeyStorage's failure (I/O, a database driver) is a keyring failure, as a KMS failure is.
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store `{Storage.Name}` failed to read item `{type}` of branch key `{branchKeyId}`: {e.Message}", e);
        }

        var item = stored ?? throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store `{Storage.Name}` has no item `{type}` for branch key `{branchKeyId}`.");
        var a = item.Attributes;
        string[] required = [BranchKeyItem.BranchKeyIdField, BranchKeyItem.TypeField, BranchKeyItem.CreateTimeField, BranchKeyItem.KmsArnField, BranchKeyItem.HierarchyVersionField];
        if (required.Any(f => !a.TryGetValue(f, out var v) || v.Length == 0)
            || item.BranchKeyId != branchKeyId || item.Type != type || item.Enc.Length == 0
            || a.ContainsKey(BranchKeyItem.EncField) || a.ContainsKey(BranchKeyItem.TableNameField)
            || (type == BranchKeyItem.ActiveType) != a.ContainsKey(BranchKeyItem.VersionField)
            || (a.TryGetValue(BranchKeyItem.VersionField, out var activeVersion) && !activeVersion.StartsWith(BranchKeyItem.VersionTypePrefix, StringComparison.Ordinal)))
        {
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store item `{type}` for branch key `{branchKeyId}` is malformed.");
        }

        // spec: branch-key-store.md#aws-kms-branch-key-decryption — the item's kms-arn must be this store's key.
        if (a[BranchKeyItem.KmsArnField] != KmsKeyArn)
        {
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"The branch key `{branchKeyId}` is wrapped by `{a[BranchKeyItem.KmsArnField]}`, not by this store's KMS key `{KmsKeyArn}`.");
        }

        return item;
    }

    // spec: branch-key-store.md#aws-kms-branch-key-decryption and #branch-key-materials-from-authenticated-encryption-context
    private async Task<BranchKeyMaterials> DecryptAsync(BranchKeyItem item, CancellationToken cancellationToken)
    {
        var response = await CallKmsAsync(() => _kms.DecryptAsync(new DecryptRequest
        {
            KeyId = KmsKeyArn,
            CiphertextBlob = new MemoryStream(item.Enc),
            EncryptionContext = ContextOf(item.Attributes),
            GrantTokens = Tokens(),
        }, cancellationToken)).ConfigureAwait(false);
        var key = KmsCalls.TakePlaintext(response.Plaintext);
        if (response.KeyId != KmsKeyArn || key.Length != BranchKeyLength)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"KMS Decrypt of branch key `{item.BranchKeyId}` answered for `{response.KeyId}` with {key.Length} bytes; expected `{KmsKeyArn}` and {BranchKeyLength}.");
        }

        var versionType = item.Type == BranchKeyItem.ActiveType ? item.Attributes[BranchKeyItem.VersionField] : item.Type;
        var custom = item.Attributes
            .Where(p => p.Key.StartsWith(BranchKeyItem.CustomContextPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[BranchKeyItem.CustomContextPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        return new BranchKeyMaterials(item.BranchKeyId, versionType[BranchKeyItem.VersionTypePrefix.Length..], custom, key);
    }

    // spec: branch-key-store.md#encryption-context — every stored attribute plus the logical key store name.
    private Dictionary<string, string> ContextOf(IReadOnlyDictionary<string, string> attributes) =>
        new(attributes, StringComparer.Ordinal) { [BranchKeyItem.TableNameField] = LogicalKeyStoreName };

    private List<string>? Tokens() => GrantTokens.Count == 0 ? null : [.. GrantTokens];

    private async Task<T> CallKmsAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException)
        {
            throw Failure(EncryptionSdkErrorReason.KeyringFailure, $"KMS call for the branch key store with `{KmsKeyArn}` failed: {e.Message}", e);
        }
    }

    private static EncryptionSdkException Failure(EncryptionSdkErrorReason reason, string message, Exception? inner = null) => new(reason, message, inner);
}
