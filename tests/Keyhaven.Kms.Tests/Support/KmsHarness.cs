using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Kms.Tests.Support;

/// <summary>
/// The KMS domain over the real storage stack (SQLite file, barrier, record store) in a temp directory, with a
/// manual clock and the system random source. Dispose closes the database and deletes the directory.
/// </summary>
public sealed class KmsHarness : IAsyncDisposable
{
    public static readonly CancellationToken None = CancellationToken.None;
    public static readonly KmsCaller Caller = new(AccountId.Parse("111122223333"), "us-east-1", "arn:aws:iam::111122223333:root");

    private readonly TempDirectory _directory;
    private readonly RootKey _rootKey;
    private readonly StorageBarrier _barrier;

    private KmsHarness(TempDirectory directory, SqliteStorageBackend backend, RootKey rootKey, StorageBarrier barrier, ManualTimeProvider clock)
    {
        _directory = directory;
        _rootKey = rootKey;
        _barrier = barrier;
        Backend = backend;
        Store = new RecordStore(backend, barrier);
        Clock = clock;
        Domain = NewDomain();
    }

    public SqliteStorageBackend Backend { get; }
    public RecordStore Store { get; }
    public ManualTimeProvider Clock { get; }
    public KmsDomain Domain { get; }
    public string DatabasePath => _directory.File("keyhaven.db");

    public static async Task<KmsHarness> OpenAsync()
    {
        var directory = new TempDirectory();
        var backend = new SqliteStorageBackend(directory.File("keyhaven.db"));
        await backend.InitializeAsync(None);
        var rootKey = RootKey.LoadOrCreate(directory.File("root.key"));
        var barrier = await StorageBarrier.OpenAsync(backend, rootKey, None);
        return new KmsHarness(directory, backend, rootKey, barrier, new ManualTimeProvider());
    }

    /// <summary>A second domain over the same store and clock, with empty caches: what a restarted server sees.</summary>
    public KmsDomain NewDomain() => new(Store, new KmsEnvironment(Clock, SystemRandomSource.Instance));

    public Task<KmsKey> CreateKeyAsync(string? description = null) =>
        Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(description, null, null), None);

    public async Task<byte[]> EncryptAsync(KmsKey key, byte[] plaintext, EncryptionContext? context = null) =>
        (await Domain.Crypto.EncryptAsync(Caller, key.Id.Value, plaintext, context ?? EncryptionContext.Empty, null, None)).CiphertextBlob!;

    public async Task<byte[]> DecryptAsync(byte[] blob, EncryptionContext? context = null) =>
        (await Domain.Crypto.DecryptAsync(Caller, blob, context ?? EncryptionContext.Empty, null, null, None)).Plaintext!;

    /// <summary>The key as stored, read past every cache.</summary>
    public async Task<KmsKey?> ReadStoredAsync(KmsKey key)
    {
        await using var transaction = await Store.BeginAsync(write: false, None);
        return await KeyRepository.ReadAsync(transaction, KeyRepository.StorageKeyFor(key.Account, key.Region, key.Id), None);
    }

    /// <summary>Every sealed value of a table, straight from the backend.</summary>
    public async Task<IReadOnlyList<StorageEntry>> RawEntriesAsync(string table)
    {
        await using var transaction = await Backend.BeginAsync(write: false, None);
        return await transaction.ListAsync(table, string.Empty, null, 10_000, None);
    }

    public async ValueTask DisposeAsync()
    {
        _barrier.Dispose();
        _rootKey.Dispose();
        await Backend.DisposeAsync();
        _directory.Dispose();
    }
}
