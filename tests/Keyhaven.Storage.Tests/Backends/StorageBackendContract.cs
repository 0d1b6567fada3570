using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Backends;

/// <summary>
/// The storage contract (<see cref="IStorageBackend"/>): get/put/delete, versions, transactions, listing and
/// concurrency. Every backend runs the same tests through a subclass that says how to open it on fresh storage.
/// </summary>
public abstract partial class StorageBackendContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private readonly List<IStorageBackend> _opened = [];

    /// <summary>The backend under test, initialized on fresh, empty storage.</summary>
    protected IStorageBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await CreateStorageAsync();
        Backend = await OpenAnotherAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _opened)
        {
            await backend.DisposeAsync();
        }

        await DeleteStorageAsync();
    }

    /// <summary>Makes fresh, empty storage for one test.</summary>
    protected abstract Task CreateStorageAsync();

    /// <summary>A new backend instance (as another process would open it) on this test's storage, not yet initialized.</summary>
    protected abstract IStorageBackend CreateBackend();

    protected abstract Task DeleteStorageAsync();

    /// <summary>Opens and initializes another instance on the same storage; disposed with the test.</summary>
    protected async Task<IStorageBackend> OpenAnotherAsync()
    {
        var backend = CreateBackend();
        _opened.Add(backend);
        await backend.InitializeAsync(None);
        return backend;
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheValueAtVersionOne()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1, 2, 3]);

        var entry = await GetAsync(key);

        Assert.NotNull(entry);
        Assert.Equal(key, entry.Key);
        Assert.Equal(1, entry.Version);
        Assert.Equal(new byte[] { 1, 2, 3 }, entry.Value);
    }

    [Fact]
    public async Task Get_OfAMissingRecord_ReturnsNull() => Assert.Null(await GetAsync(new StorageKey("t", "missing")));

    [Fact]
    public async Task EachPut_IncrementsTheVersion()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);
        await PutAsync(key, 2, [3]);

        var entry = await GetAsync(key);

        Assert.Equal(3, entry!.Version);
        Assert.Equal(new byte[] { 3 }, entry.Value);
    }

    [Fact]
    public async Task EmptyValue_RoundTrips()
    {
        var key = new StorageKey("t", "empty");
        await PutAsync(key, 0, []);

        Assert.Empty((await GetAsync(key))!.Value);
    }

    [Fact]
    public async Task Tables_AreSeparateNamespaces()
    {
        await PutAsync(new StorageKey("t1", "same"), 0, [1]);
        await PutAsync(new StorageKey("t2", "same"), 0, [2]);

        Assert.Equal(new byte[] { 1 }, (await GetAsync(new StorageKey("t1", "same")))!.Value);
        Assert.Equal(new byte[] { 2 }, (await GetAsync(new StorageKey("t2", "same")))!.Value);
    }

    [Fact]
    public async Task Delete_RemovesTheRecord_AndItCanBeCreatedAgainAtVersionOne()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);

        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await tx.DeleteAsync(key, 2, None);
            await tx.CommitAsync(None);
        }

        Assert.Null(await GetAsync(key));
        await PutAsync(key, 0, [3]);
        Assert.Equal(1, (await GetAsync(key))!.Version);
    }

    [Fact]
    public async Task DisposeWithoutCommit_RollsBack()
    {
        var existing = new StorageKey("t", "existing");
        await PutAsync(existing, 0, [1]);

        await using (var tx = await Backend.BeginAsync(write: true, None))
        {
            await tx.PutAsync(new StorageKey("t", "new"), 0, new byte[] { 9 }, None);
            await tx.PutAsync(existing, 1, new byte[] { 9 }, None);
        }

        Assert.Null(await GetAsync(new StorageKey("t", "new")));
        var entry = await GetAsync(existing);
        Assert.Equal(1, entry!.Version);
        Assert.Equal(new byte[] { 1 }, entry.Value);
    }

    [Fact]
    public async Task UncommittedWrites_AreInvisibleToOtherTransactions()
    {
        var key = new StorageKey("t", "a");
        await using var writer = await Backend.BeginAsync(write: true, None);
        await writer.PutAsync(key, 0, new byte[] { 1 }, None);

        Assert.Null(await GetAsync(key));

        await writer.CommitAsync(None);
        Assert.NotNull(await GetAsync(key));
    }

    [Fact]
    public async Task InitializeAsync_IsIdempotent_AndKeepsData()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);

        await Backend.InitializeAsync(None);
        var again = await OpenAnotherAsync();
        await again.InitializeAsync(None);

        await using var tx = await again.BeginAsync(write: false, None);
        Assert.Equal(new byte[] { 1 }, (await tx.GetAsync(key, None))!.Value);
    }

    [Fact]
    public async Task AnotherInstance_SeesCommittedWrites()
    {
        var other = await OpenAnotherAsync();
        await PutAsync(new StorageKey("t", "a"), 0, [7]);

        await using var tx = await other.BeginAsync(write: false, None);
        Assert.Equal(new byte[] { 7 }, (await tx.GetAsync(new StorageKey("t", "a"), None))!.Value);
    }

    [Fact]
    public async Task LargeValues_RoundTrip()
    {
        var value = new byte[1 << 20];
        Random.Shared.NextBytes(value);
        await PutAsync(new StorageKey("t", "large"), 0, value);

        Assert.Equal(value, (await GetAsync(new StorageKey("t", "large")))!.Value);
    }

    protected async Task PutAsync(StorageKey key, long expectedVersion, byte[] value)
    {
        await using var tx = await Backend.BeginAsync(write: true, None);
        await tx.PutAsync(key, expectedVersion, value, None);
        await tx.CommitAsync(None);
    }

    protected async Task<StorageEntry?> GetAsync(StorageKey key)
    {
        await using var tx = await Backend.BeginAsync(write: false, None);
        return await tx.GetAsync(key, None);
    }
}
