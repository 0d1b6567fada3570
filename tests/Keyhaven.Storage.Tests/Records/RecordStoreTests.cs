using System.Security.Cryptography;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Records;

/// <summary>The plaintext record view over the barrier and the SQLite backend.</summary>
public sealed partial class RecordStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private StorageHarness _storage = null!;

    private RecordStore Store => _storage.Store;

    public async Task InitializeAsync() => _storage = await StorageHarness.OpenAsync();

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    [Fact]
    public async Task Put_ThenGet_ReturnsThePlaintext_AndTheBackendHoldsOnlyTheSealedValue()
    {
        var key = new StorageKey("t", "a");
        var plaintext = RandomNumberGenerator.GetBytes(40);
        await PutAsync(key, 0, plaintext);

        var record = await GetAsync(key);
        Assert.Equal(plaintext, record!.Value);
        Assert.Equal(1, record.Version);

        await using var raw = await _storage.Backend.BeginAsync(write: false, None);
        var entry = await raw.GetAsync(key, None);
        Assert.Equal(1 + 4 + 12 + plaintext.Length + 16, entry!.Value.Length);
        Assert.Equal(-1, entry.Value.AsSpan().IndexOf(plaintext));
    }

    [Fact]
    public async Task Updates_AreSealedForTheirNewVersion()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);
        await PutAsync(key, 2, [3]);

        var record = await GetAsync(key);

        Assert.Equal(3, record!.Version);
        Assert.Equal(new byte[] { 3 }, record.Value);
    }

    [Fact]
    public async Task AValueMovedToAnotherRowInStorage_FailsToRead()
    {
        // Storage is untrusted: an attacker with write access to the database copies one row's value over another's.
        var victim = new StorageKey("keys", "victim");
        var attacker = new StorageKey("keys", "attacker");
        await PutAsync(victim, 0, "victim-secret"u8.ToArray());
        await PutAsync(attacker, 0, "attacker-secret"u8.ToArray());

        await using (var raw = await _storage.Backend.BeginAsync(write: true, None))
        {
            var attackerValue = (await raw.GetAsync(attacker, None))!.Value;
            await raw.PutAsync(victim, 1, attackerValue, None);
            await raw.CommitAsync(None);
        }

        // The moved value is now at version 2 of another id: both the id and the version differ from when it was sealed.
        await using var tx = await Store.BeginAsync(write: false, None);
        await Assert.ThrowsAsync<Keyhaven.Storage.Barrier.BarrierIntegrityException>(async () => await tx.GetAsync(victim, None));
    }

    [Fact]
    public async Task AnOldValueReplayedInStorage_FailsToRead()
    {
        // Rolling a row back to an older sealed value (at a newer version number) must not pass as current.
        var key = new StorageKey("keys", "k");
        await PutAsync(key, 0, "v1"u8.ToArray());
        byte[] first;
        await using (var raw = await _storage.Backend.BeginAsync(write: false, None))
        {
            first = (await raw.GetAsync(key, None))!.Value;
        }

        await PutAsync(key, 1, "v2"u8.ToArray());
        await using (var raw = await _storage.Backend.BeginAsync(write: true, None))
        {
            await raw.PutAsync(key, 2, first, None);
            await raw.CommitAsync(None);
        }

        await using var tx = await Store.BeginAsync(write: false, None);
        await Assert.ThrowsAsync<Keyhaven.Storage.Barrier.BarrierIntegrityException>(async () => await tx.GetAsync(key, None));
    }

    [Fact]
    public async Task List_UnsealsEveryRecord()
    {
        await PutAsync(new StorageKey("t", "p/1"), 0, [1]);
        await PutAsync(new StorageKey("t", "p/2"), 0, [2]);
        await PutAsync(new StorageKey("t", "q/1"), 0, [3]);

        await using var tx = await Store.BeginAsync(write: false, None);
        var records = await tx.ListAsync("t", "p/", null, 10, None);

        Assert.Equal([[1], [2]], records.Select(r => r.Value));
    }

    [Fact]
    public async Task DisposeWithoutCommit_RollsBack()
    {
        var key = new StorageKey("t", "a");
        await using (var tx = await Store.BeginAsync(write: true, None))
        {
            await tx.PutAsync(key, 0, [1], None);
        }

        Assert.Null(await GetAsync(key));
    }

    [Fact]
    public async Task Delete_WithAStaleVersion_Conflicts()
    {
        var key = new StorageKey("t", "a");
        await PutAsync(key, 0, [1]);
        await PutAsync(key, 1, [2]);

        await using var tx = await Store.BeginAsync(write: true, None);
        await Assert.ThrowsAsync<StorageConflictException>(async () => await tx.DeleteAsync(key, 1, None));
    }

    private async Task PutAsync(StorageKey key, long expectedVersion, byte[] value) =>
        await Store.WriteAsync(async tx =>
        {
            await tx.PutAsync(key, expectedVersion, value, None);
            return true;
        }, None);

    private async Task<Keyhaven.Storage.Records.Record?> GetAsync(StorageKey key)
    {
        await using var tx = await Store.BeginAsync(write: false, None);
        return await tx.GetAsync(key, None);
    }
}
