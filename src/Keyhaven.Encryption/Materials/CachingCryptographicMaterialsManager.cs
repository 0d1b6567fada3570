using System.Text;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Format;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Materials;

/// <summary>
/// Reuses the materials of an underlying CMM across messages, through a <see cref="ICryptographicMaterialsCache"/>:
/// one data key (and, for signed suites, one signing key) encrypts at most <see cref="LimitMessages"/> messages and
/// <see cref="LimitBytes"/> bytes within <see cref="TimeToLive"/>; decryption materials are reused within the TTL.
/// Requests of unknown plaintext length (streams without <see cref="EncryptOptions.PlaintextLengthBound"/>), suites
/// without a KDF, and single messages above the byte limit bypass the cache. Callers get copies: disposing them never
/// touches the cached key. Thread safe.
/// spec: framework/caching-cmm.md
/// </summary>
public sealed class CachingCryptographicMaterialsManager : ICryptographicMaterialsManager
{
    /// <summary>The default message limit (2^32), as the specification sets it.</summary>
    public const long DefaultLimitMessages = 1L << 32;

    private readonly ICryptographicMaterialsCache _cache;
    private readonly byte[] _partition;
    private readonly TimeProvider _time;

    /// <param name="underlying">Asked for materials on a cache miss.</param>
    /// <param name="cache">Possibly shared with other caching CMMs; entries are shared only between equal partition ids.</param>
    /// <param name="timeToLive">How long cached materials may be used (above zero).</param>
    /// <param name="partitionId">Names the entries of this CMM in the cache; a new GUID when null.</param>
    /// <param name="limitBytes">Most plaintext bytes one cached data key encrypts (0 to 2^63-1).</param>
    /// <param name="limitMessages">Most messages one cached data key encrypts (1 to 2^32).</param>
    /// <param name="timeProvider">The clock for the entries' creation and expiry times.</param>
    public CachingCryptographicMaterialsManager(
        ICryptographicMaterialsManager underlying,
        ICryptographicMaterialsCache cache,
        TimeSpan timeToLive,
        string? partitionId = null,
        long limitBytes = long.MaxValue,
        long limitMessages = DefaultLimitMessages,
        TimeProvider? timeProvider = null)
    {
        Underlying = underlying ?? throw new ArgumentNullException(nameof(underlying));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        if (timeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), $"The cache TTL must be above zero, not {timeToLive}.");
        }

        if (limitBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limitBytes), $"The byte limit is 0 to {long.MaxValue}, not {limitBytes}.");
        }

        if (limitMessages is < 1 or > DefaultLimitMessages)
        {
            throw new ArgumentOutOfRangeException(nameof(limitMessages), $"The message limit is 1 to {DefaultLimitMessages}, not {limitMessages}.");
        }

        // spec: caching-cmm.md#partition-id — a unique one unless the caller chose it.
        PartitionId = partitionId ?? Guid.NewGuid().ToString();
        _partition = Encoding.UTF8.GetBytes(PartitionId);
        TimeToLive = timeToLive;
        LimitBytes = limitBytes;
        LimitMessages = limitMessages;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A caching CMM over a <see cref="DefaultCryptographicMaterialsManager"/> of <paramref name="keyring"/>.</summary>
    public CachingCryptographicMaterialsManager(
        IKeyring keyring,
        ICryptographicMaterialsCache cache,
        TimeSpan timeToLive,
        string? partitionId = null,
        long limitBytes = long.MaxValue,
        long limitMessages = DefaultLimitMessages,
        TimeProvider? timeProvider = null)
        : this(new DefaultCryptographicMaterialsManager(keyring), cache, timeToLive, partitionId, limitBytes, limitMessages, timeProvider)
    {
    }

    public ICryptographicMaterialsManager Underlying { get; }

    public string PartitionId { get; }

    public TimeSpan TimeToLive { get; }

    public long LimitBytes { get; }

    public long LimitMessages { get; }

    public async ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        // Unknown length: the byte limit could not be enforced, so the cache is not used (as in every AWS SDK).
        // A suite without a KDF uses the data key directly: never cached. spec: caching-cmm.md#get-encryption-materials
        if (request.MaxPlaintextLength is not { } length || (request.Suite is { } asked && IsIdentityKdf(asked)) || length > LimitBytes)
        {
            return await Underlying.GetEncryptionMaterialsAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var identifier = EncryptIdentifier(request);
        if (_cache.TryGetCacheEntry(identifier, out var entry))
        {
            var (messages, bytes) = entry!.AddUsage(1, length);
            if (messages <= LimitMessages && bytes <= LimitBytes
                && entry.TryCopyMaterials((EncryptionMaterials m) => m.Clone(), out var cached))
            {
                if (cached!.Suite.AllowsEncrypt(request.CommitmentPolicy))
                {
                    return cached;
                }

                cached.Dispose();
            }

            // Used up (or unusable under this request's policy): a new data key replaces it.
            _cache.DeleteCacheEntry(identifier);
        }

        // The underlying CMM's materials serve many messages: it is not told one message's length.
        var materials = await Underlying.GetEncryptionMaterialsAsync(request with { MaxPlaintextLength = null }, cancellationToken).ConfigureAwait(false);
        if (!IsIdentityKdf(materials.Suite))
        {
            var now = _time.GetUtcNow();
            _cache.PutCacheEntry(identifier, new CacheEntry(materials.Clone(), now, now + TimeToLive, messagesUsed: 1, bytesUsed: length));
        }

        return materials;
    }

    public async ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default)
    {
        // spec: caching-cmm.md#decrypt-materials. A suite this request's commitment policy refuses goes to the
        // underlying CMM, which refuses it: a cached entry must never bypass that check.
        if (IsIdentityKdf(request.Suite) || !request.Suite.AllowsDecrypt(request.CommitmentPolicy))
        {
            return await Underlying.DecryptMaterialsAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var identifier = DecryptIdentifier(request);
        if (_cache.TryGetCacheEntry(identifier, out var entry) && entry!.TryCopyMaterials((DecryptionMaterials m) => m.Clone(), out var cached))
        {
            return cached!;
        }

        var materials = await Underlying.DecryptMaterialsAsync(request, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        _cache.PutCacheEntry(identifier, new CacheEntry(materials.Clone(), now, now + TimeToLive));
        return materials;
    }

    private static bool IsIdentityKdf(AlgorithmSuite suite) => suite.KdfHash is null;

    // spec: caching-cmm.md#encryption-materials-without-algorithm-suite and #encryption-materials-with-algorithm-suite.
    // Keyhaven adds one field when the request names required encryption context keys (authenticated, not stored):
    // materials made for another set of required keys must not be reused. The identifier never leaves the process.
    private byte[] EncryptIdentifier(EncryptionMaterialsRequest request)
    {
        var context = EncryptionContextSerializer.Serialize(request.EncryptionContext);
        List<byte[]> suffix = request.Suite is { } suite
            ? [[0x01], SuiteId(suite), context]
            : [[0x00], context];
        if (request.RequiredEncryptionContextKeys.Count > 0)
        {
            suffix.Add(EncryptionContextSerializer.Serialize(request.RequiredEncryptionContextKeys.ToDictionary(k => k, _ => string.Empty, StringComparer.Ordinal)));
        }

        return CacheIdentifier.Compute(CacheIdentifier.CachingCmm, CacheIdentifier.Encrypt, _partition, [.. suffix]);
    }

    // spec: caching-cmm.md#decryption-materials. Keyhaven adds the reproduced encryption context when there is one, so
    // materials checked against one reproduced context are never handed to a request with another.
    private byte[] DecryptIdentifier(DecryptionMaterialsRequest request)
    {
        var edks = request.EncryptedDataKeys.Select(EncryptedDataKeySerializer.Serialize).ToList();
        edks.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        List<byte[]> suffix = [SuiteId(request.Suite), [.. edks.SelectMany(e => e)], EncryptionContextSerializer.Serialize(request.EncryptionContext)];
        if (request.ReproducedEncryptionContext.Count > 0)
        {
            suffix.Add(EncryptionContextSerializer.Serialize(request.ReproducedEncryptionContext));
        }

        return CacheIdentifier.Compute(CacheIdentifier.CachingCmm, CacheIdentifier.Decrypt, _partition, [.. suffix]);
    }

    private static byte[] SuiteId(AlgorithmSuite suite) => [(byte)((ushort)suite.Id >> 8), (byte)suite.Id];
}
