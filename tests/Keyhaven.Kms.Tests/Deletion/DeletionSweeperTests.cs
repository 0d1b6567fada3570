using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Deletion;

/// <summary>Scheduled deletion with a pinned clock: the window, cancellation, and what goes with the key.</summary>
public sealed class DeletionSweeperTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    private KeyManager Keys => _kms.Domain.KeyManager;

    private async Task<int> SweepAsync() => (await _kms.Domain.DeletionSweeper.SweepAsync(None)).Deleted;

    [Fact]
    public async Task ScheduleDeletion_SetsTheDeletionDateAfterTheWindow()
    {
        var key = await _kms.CreateKeyAsync();

        var scheduled = await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);

        Assert.Equal(KeyState.PendingDeletion, scheduled.State);
        Assert.Equal(_kms.Clock.GetUtcNow().AddDays(7), scheduled.DeletionDate);
        Assert.Equal(7, scheduled.PendingWindowInDays);
    }

    [Fact]
    public async Task ScheduleDeletion_DefaultsTo30Days()
    {
        // AWS KMS: PendingWindowInDays defaults to 30.
        var key = await _kms.CreateKeyAsync();

        var scheduled = await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, null, None);

        Assert.Equal(_kms.Clock.GetUtcNow().AddDays(30), scheduled.DeletionDate);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    [InlineData(0)]
    public async Task ScheduleDeletion_RefusesAWindowOutside7To30Days(int days)
    {
        // AWS KMS: PendingWindowInDays is 7 to 30 (ValidationException).
        var key = await _kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<KmsException>(() => Keys.ScheduleDeletionAsync(Caller, key.Id.Value, days, None));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
    }

    [Fact]
    public async Task Deletion_HappensOnlyWhenTheWindowHasEnded()
    {
        var key = await _kms.CreateKeyAsync();
        await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);

        _kms.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await SweepAsync());
        Assert.NotNull(await _kms.ReadStoredAsync(key));

        _kms.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Null(await _kms.ReadStoredAsync(key));
        Assert.Equal(0, await SweepAsync());
    }

    [Fact]
    public async Task ADeletedKey_CannotDecrypt_EvenAfterARestart()
    {
        // AWS KMS: a deleted key is gone for good; ciphertexts made under it can never be decrypted again.
        // A blob naming a key that does not exist stays opaque (house style): InvalidCiphertextException.
        var key = await _kms.CreateKeyAsync();
        var blob = await _kms.EncryptAsync(key, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, await _kms.DecryptAsync(blob)); // warms the key cache
        await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);
        _kms.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, await SweepAsync());

        var error = await Assert.ThrowsAsync<KmsException>(() => _kms.DecryptAsync(blob));
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, error.Code);

        var restarted = _kms.NewDomain();
        var again = await Assert.ThrowsAsync<KmsException>(async () =>
            await restarted.Crypto.DecryptAsync(Caller, blob, Keyhaven.Kms.Crypto.EncryptionContext.Empty, null, null, None));
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, again.Code);
        Assert.Empty(await _kms.RawEntriesAsync(KeyRepository.Table));
    }

    [Fact]
    public async Task ACancelledDeletion_NeverDeletes_AndTheKeyComesBackDisabled()
    {
        // AWS KMS: CancelKeyDeletion leaves the key Disabled.
        var key = await _kms.CreateKeyAsync();
        await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);
        var cancelled = await Keys.CancelDeletionAsync(Caller, key.Id.Value, None);

        Assert.Equal(KeyState.Disabled, cancelled.State);
        Assert.Null(cancelled.DeletionDate);

        _kms.Clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(0, await SweepAsync());
        Assert.Equal(KeyState.Disabled, (await _kms.ReadStoredAsync(key))!.State);
    }

    [Fact]
    public async Task CancelDeletion_OfAKeyNotPendingDeletion_FailsWithInvalidState()
    {
        // AWS KMS: CancelKeyDeletion needs a key pending deletion (KMSInvalidStateException).
        var key = await _kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<KmsException>(() => Keys.CancelDeletionAsync(Caller, key.Id.Value, None));
        Assert.Equal(KmsErrorCode.KMSInvalidStateException, error.Code);
    }

    [Fact]
    public async Task AKeyPendingDeletion_CannotBeEnabledDisabledOrRescheduled()
    {
        // AWS KMS: management changes of a key pending deletion fail with KMSInvalidStateException.
        var key = await _kms.CreateKeyAsync();
        await Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);

        foreach (var change in new Func<Task>[]
                 {
                     () => Keys.EnableAsync(Caller, key.Id.Value, None),
                     () => Keys.DisableAsync(Caller, key.Id.Value, None),
                     () => Keys.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None),
                     () => Keys.UpdateDescriptionAsync(Caller, key.Id.Value, "x", None),
                 })
        {
            Assert.Equal(KmsErrorCode.KMSInvalidStateException, (await Assert.ThrowsAsync<KmsException>(change)).Code);
        }
    }

    [Fact]
    public async Task KeysNotPendingDeletion_AreNeverDeleted()
    {
        var enabled = await _kms.CreateKeyAsync();
        var disabled = await _kms.CreateKeyAsync();
        await Keys.DisableAsync(Caller, disabled.Id.Value, None);

        _kms.Clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(0, await SweepAsync());
        Assert.NotNull(await _kms.ReadStoredAsync(enabled));
        Assert.NotNull(await _kms.ReadStoredAsync(disabled));
    }

    [Fact]
    public async Task OnlyKeysWhoseWindowEnded_AreDeleted()
    {
        var early = await _kms.CreateKeyAsync();
        var late = await _kms.CreateKeyAsync();
        await Keys.ScheduleDeletionAsync(Caller, early.Id.Value, 7, None);
        await Keys.ScheduleDeletionAsync(Caller, late.Id.Value, 30, None);

        _kms.Clock.Advance(TimeSpan.FromDays(10));

        Assert.Equal(1, await SweepAsync());
        Assert.Null(await _kms.ReadStoredAsync(early));
        Assert.Equal(KeyState.PendingDeletion, (await _kms.ReadStoredAsync(late))!.State);
    }

    [Fact]
    public async Task AliasesOfADeletedKey_AreRemoved_AndOthersKept()
    {
        // AWS KMS: deleting a KMS key deletes the aliases that point to it.
        var doomed = await _kms.CreateKeyAsync();
        var kept = await _kms.CreateKeyAsync();
        await _kms.Domain.AliasManager.CreateAsync(Caller, "alias/doomed-1", doomed.Id.Value, None);
        await _kms.Domain.AliasManager.CreateAsync(Caller, "alias/doomed-2", doomed.Id.Value, None);
        await _kms.Domain.AliasManager.CreateAsync(Caller, "alias/kept", kept.Id.Value, None);
        Assert.Equal(doomed.Id, (await Keys.DescribeAsync(Caller, "alias/doomed-1", None)).Id); // warms the alias cache
        await Keys.ScheduleDeletionAsync(Caller, doomed.Id.Value, 7, None);

        _kms.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await SweepAsync());

        var remaining = await _kms.Domain.AliasManager.ListAsync(Caller, null, 100, null, None);
        Assert.Equal(["alias/kept"], remaining.Items.Select(a => a.Name));
        var error = await Assert.ThrowsAsync<KmsException>(async () => await Keys.DescribeAsync(Caller, "alias/doomed-1", None));
        Assert.Equal(KmsErrorCode.NotFoundException, error.Code);
        Assert.Equal(kept.Id, (await Keys.DescribeAsync(Caller, "alias/kept", None)).Id);
    }

    [Fact]
    public async Task AMultiRegionPrimaryWithReplicas_IsNeverDeleted_EvenWhenItsRecordSaysPendingDeletion()
    {
        // AWS: "KMS will not delete a multi-Region primary key that has replica keys." No API leads to this record (such
        // a primary waits in PendingReplicaDeletion); it is written straight through the repository, as a bug (the old
        // UpdatePrimaryRegion race) or an older version could have left it.
        var primary = await Keys.CreateAsync(Caller, new NewKeyRequest(null, null, null) { MultiRegion = true }, None);
        await _kms.Domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "eu-west-1", new Keyhaven.Kms.MultiRegion.NewReplicaRequest(null, null, null), None);
        await _kms.Domain.AliasManager.CreateAsync(Caller, "alias/kept", primary.Id.Value, None);
        var stored = (await _kms.ReadStoredAsync(primary))!;
        await _kms.Domain.Keys.UpdateAsync(stored, key => key with
        {
            State = KeyState.PendingDeletion, PendingWindowInDays = 7, DeletionDate = _kms.Clock.GetUtcNow().AddDays(7),
        }, None);
        _kms.Clock.Advance(TimeSpan.FromDays(8));

        var sweep = await _kms.Domain.DeletionSweeper.SweepAsync(None);

        Assert.Equal(0, sweep.Deleted);
        Assert.Equal([primary.Arn], sweep.Withheld);
        Assert.Equal(KeyState.PendingDeletion, (await _kms.ReadStoredAsync(primary))!.State);
        var replica = (await _kms.NewDomain().Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!;
        Assert.Equal(primary.Arn, Keyhaven.Kms.Keys.KeyArn.ForKey(replica.MultiRegion!.PrimaryRegion, replica.Account, replica.Id));
        Assert.Equal(primary.Id, (await Keys.DescribeAsync(Caller, "alias/kept", None)).Id);
    }

    [Fact]
    public async Task TheRepository_RefusesToDeleteAMultiRegionPrimaryWithReplicas()
    {
        // The last line of defence behind the sweeper's own check: the transaction fails and deletes nothing.
        var primary = await Keys.CreateAsync(Caller, new NewKeyRequest(null, null, null) { MultiRegion = true }, None);
        await _kms.Domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "eu-west-1", new Keyhaven.Kms.MultiRegion.NewReplicaRequest(null, null, null), None);
        var stored = (await _kms.ReadStoredAsync(primary))!;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _kms.Store.WriteAsync(async transaction =>
        {
            await KeyRepository.DeleteAsync(transaction, stored, None);
            return true;
        }, None));

        Assert.NotNull(await _kms.ReadStoredAsync(primary));
    }
}
