using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>ScheduleKeyDeletion, CancelKeyDeletion and the sweeper that deletes when the window ends.</summary>
public sealed class KeyDeletionTests
{
    [Fact]
    public async Task A_key_is_deleted_for_good_only_after_its_waiting_period_ends()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var alias = "alias/doomed";
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        var ciphertext = (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob.ToArray();

        var scheduled = await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        Assert.Equal(KeyState.PendingDeletion, scheduled.KeyState);
        Assert.Equal(7, scheduled.PendingWindowInDays);
        Assert.Equal(key.Arn, scheduled.KeyId);
        var expected = server.Clock.GetUtcNow().AddDays(7).UtcDateTime;
        Assert.InRange(scheduled.DeletionDate!.Value.ToUniversalTime(), expected.AddSeconds(-5), expected.AddSeconds(5));

        // AWS KMS: a key pending deletion cannot be used, and says so with KMSInvalidStateException.
        await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
            kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
        var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.PendingDeletion, described.KeyMetadata.KeyState);
        // model: PendingDeletionWindowInDays "is present only when the KeyState of the KMS key is PendingReplicaDeletion";
        // a key pending deletion shows its DeletionDate instead (ScheduleKeyDeletion's response names the window).
        Assert.Null(described.KeyMetadata.PendingDeletionWindowInDays);
        Assert.Equal(scheduled.DeletionDate, described.KeyMetadata.DeletionDate);

        server.Clock.Advance(TimeSpan.FromDays(6));
        await server.Server.RunMaintenanceAsync();
        Assert.Equal(KeyState.PendingDeletion, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);

        server.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await server.Server.RunMaintenanceAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }));
        Assert.DoesNotContain((await kms.ListKeysAsync(new ListKeysRequest())).Keys, k => k.KeyId == key.KeyId);
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
    }

    [Fact]
    public async Task Cancelling_deletion_keeps_the_key_disabled_and_the_sweeper_leaves_it_alone()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var scheduled = await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });
        Assert.Equal(30, scheduled.PendingWindowInDays); // AWS KMS: the default waiting period is 30 days

        var cancelled = await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        Assert.Equal(key.Arn, cancelled.KeyId);
        var described = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Disabled, described.KeyState); // AWS KMS: a key whose deletion is cancelled comes back disabled
        Assert.Null(described.DeletionDate);

        server.Clock.Advance(TimeSpan.FromDays(31));
        await server.Server.RunMaintenanceAsync();
        await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([9]) });
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    public async Task The_waiting_period_must_be_7_to_30_days(int days)
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = days }));
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task Keys_pending_deletion_refuse_changes_and_a_second_schedule()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
            kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/late", TargetKeyId = key.KeyId }));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
            kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 }));
    }

    [Fact]
    public async Task CancelKeyDeletion_of_a_key_not_pending_deletion_is_KMSInvalidStateException()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId }));
    }
}
