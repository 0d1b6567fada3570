using System.Security.Cryptography;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Barrier;

/// <summary>The keyring: created on first open, reopened by the same root key only.</summary>
public sealed class StorageBarrierKeyringTests : IDisposable
{
    private static readonly StorageKey Record = new("secrets", "one");
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reopening_WithTheSameRootKey_ReadsOldData()
    {
        var value = RandomNumberGenerator.GetBytes(48);
        await using (var first = await StorageHarness.OpenAsync(_directory))
        {
            await first.Store.WriteAsync(async tx =>
            {
                await tx.PutAsync(Record, 0, value, CancellationToken.None);
                return true;
            }, CancellationToken.None);
        }

        await using var second = await StorageHarness.OpenAsync(_directory);
        await using var read = await second.Store.BeginAsync(write: false, CancellationToken.None);

        var record = await read.GetAsync(Record, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(value, record.Value);
    }

    [Fact]
    public async Task Opening_WithADifferentRootKey_FailsWithAClearMessage()
    {
        await using (await StorageHarness.OpenAsync(_directory))
        {
        }

        var error = await Assert.ThrowsAsync<BarrierIntegrityException>(async () => await StorageHarness.OpenAsync(_directory, rootKeyName: "other.key"));

        Assert.Contains("does not open with this root key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_WithAnAlteredKeyring_Fails()
    {
        await using (await StorageHarness.OpenAsync(_directory))
        {
        }

        await using var backend = new SqliteStorageBackend(_directory.File("keyhaven.db"));
        await using (var tx = await backend.BeginAsync(write: true, CancellationToken.None))
        {
            var keyring = await tx.GetAsync(StorageBarrier.KeyringKey, CancellationToken.None);
            Assert.NotNull(keyring);
            var altered = keyring.Value.ToArray();
            altered[20] ^= 0x40;
            await tx.PutAsync(StorageBarrier.KeyringKey, keyring.Version, altered, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        using var rootKey = RootKey.LoadOrCreate(_directory.File("root.key"));
        await Assert.ThrowsAsync<BarrierIntegrityException>(async () => await StorageBarrier.OpenAsync(backend, rootKey, CancellationToken.None));
    }

    [Fact]
    public async Task Opening_WithAKeyringOfAnUnknownFormat_Fails()
    {
        await using (await StorageHarness.OpenAsync(_directory))
        {
        }

        await using var backend = new SqliteStorageBackend(_directory.File("keyhaven.db"));
        await using (var tx = await backend.BeginAsync(write: true, CancellationToken.None))
        {
            var keyring = await tx.GetAsync(StorageBarrier.KeyringKey, CancellationToken.None);
            await tx.PutAsync(StorageBarrier.KeyringKey, keyring!.Version, keyring.Value[..^1], CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        using var rootKey = RootKey.LoadOrCreate(_directory.File("root.key"));
        var error = await Assert.ThrowsAsync<BarrierIntegrityException>(async () => await StorageBarrier.OpenAsync(backend, rootKey, CancellationToken.None));
        Assert.Contains("known format", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoBarriersOverOneDatabase_ShareTheKeyring()
    {
        await using var first = await StorageHarness.OpenAsync(_directory);
        var sealedValue = first.Barrier.Seal(Record, 1, "shared"u8);

        using var rootKey = RootKey.LoadOrCreate(_directory.File("root.key"));
        using var second = await StorageBarrier.OpenAsync(first.Backend, rootKey, CancellationToken.None);

        Assert.Equal("shared"u8.ToArray(), second.Unseal(new StorageEntry(Record, 1, sealedValue)));
    }

    [Fact]
    public async Task TheKeyringRecord_IsNotReadableAsAnOrdinaryRecord()
    {
        // The keyring is sealed under the root key, not under a barrier key: the record view must refuse it.
        await using var storage = await StorageHarness.OpenAsync(_directory);
        await using var tx = await storage.Store.BeginAsync(write: false, CancellationToken.None);

        await Assert.ThrowsAsync<BarrierIntegrityException>(async () => await tx.GetAsync(StorageBarrier.KeyringKey, CancellationToken.None));
    }
}
