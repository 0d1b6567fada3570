using Keyhaven.Identity.Principals;
using Keyhaven.Policy.Arns;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Identity.Tests.Support;

/// <summary>The identity store over the real storage stack (SQLite, barrier, record store) in a temporary directory.</summary>
public sealed class IdentityHarness : IAsyncDisposable
{
    public static readonly AccountId Account = AccountId.Parse("111122223333");
    public static readonly CancellationToken None = CancellationToken.None;

    private readonly string _directory;
    private readonly SqliteStorageBackend _backend;
    private readonly RootKey _rootKey;
    private readonly StorageBarrier _barrier;

    private IdentityHarness(string directory, SqliteStorageBackend backend, RootKey rootKey, StorageBarrier barrier)
    {
        _directory = directory;
        _backend = backend;
        _rootKey = rootKey;
        _barrier = barrier;
        Store = new RecordStore(backend, barrier);
        Identity = new IdentityStore(Store);
    }

    public RecordStore Store { get; }
    public IdentityStore Identity { get; }
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<IdentityHarness> OpenAsync()
    {
        var directory = Directory.CreateTempSubdirectory("keyhaven-identity-").FullName;
        var backend = new SqliteStorageBackend(Path.Combine(directory, "keyhaven.db"));
        await backend.InitializeAsync(None);
        var rootKey = RootKey.LoadOrCreate(Path.Combine(directory, "root.key"));
        var barrier = await StorageBarrier.OpenAsync(backend, rootKey, None);
        return new IdentityHarness(directory, backend, rootKey, barrier);
    }

    /// <summary>A second store over the same records with empty caches: what a restarted server sees.</summary>
    public IdentityStore Reopen() => new(Store);

    /// <summary>Creates a user with an access key and returns the key's principal as authentication resolves it.</summary>
    public async Task<IdentityPrincipal> UserAsync(string name, string? policy = null)
    {
        await Identity.CreateUserAsync(Account, name, null, null, null, Now, None);
        if (policy is not null)
        {
            await Identity.PutUserPolicyAsync(Account, name, "inline", policy, None);
        }

        var key = await Identity.CreateAccessKeyAsync(Account, name, Now, None);
        return (await Identity.FindCredentialAsync(key.Metadata.AccessKeyId, None))!.Principal;
    }

    public static string TrustPolicy(string principalArn) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principalArn}}"},"Action":"sts:AssumeRole"}]}""";

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        _barrier.Dispose();
        _rootKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
