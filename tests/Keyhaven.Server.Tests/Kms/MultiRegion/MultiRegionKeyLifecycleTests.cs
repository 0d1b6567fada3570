using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Kms.MultiRegion.MultiRegionFixture;

namespace Keyhaven.Server.Tests.Kms.MultiRegion;

/// <summary>UpdatePrimaryRegion, rotation of related keys, and deletion of a primary and its replicas (each test on a server of its own: they move the clock or restart it).</summary>
public sealed class MultiRegionKeyLifecycleTests
{
    [Fact]
    public async Task UpdatePrimaryRegion_swaps_the_primary_and_a_replica_and_survives_a_restart()
    {
        await using var server = await TestServer.StartAsync(regions: Regions);
        using var east = server.ClientIn(East);
        using var west = server.ClientIn(West);
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        var replicaArn = (await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West })).ReplicaKeyMetadata.Arn;
        var ciphertext = (await east.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("before") })).CiphertextBlob.ToArray();

        await Assert.ThrowsAsync<NotFoundException>(() => east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = South }));
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => west.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = East }));
        await east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.Arn, PrimaryRegion = West });

        await server.RestartAsync();
        using var eastAgain = server.ClientIn(East);
        using var westAgain = server.ClientIn(West);
        var newPrimary = (await westAgain.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration;
        Assert.Equal(MultiRegionKeyType.PRIMARY, newPrimary.MultiRegionKeyType);
        Assert.Equal(replicaArn, newPrimary.PrimaryKey.Arn);
        Assert.Equal(primary.Arn, Assert.Single(newPrimary.ReplicaKeys).Arn);
        var formerPrimary = (await eastAgain.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration;
        Assert.Equal(MultiRegionKeyType.REPLICA, formerPrimary.MultiRegionKeyType);
        Assert.Equal(West, formerPrimary.PrimaryKey.Region);

        // Only the new primary replicates; the data keeps opening everywhere.
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => eastAgain.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South }));
        var third = (await westAgain.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South })).ReplicaKeyMetadata;
        Assert.Equal([South, East], third.MultiRegionConfiguration.ReplicaKeys.Select(k => k.Region).Order(StringComparer.Ordinal));
        using var south = server.ClientIn(South);
        Assert.Equal("before", System.Text.Encoding.UTF8.GetString((await south.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) })).Plaintext.ToArray()));

        var regional = (await eastAgain.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => eastAgain.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = regional.KeyId, PrimaryRegion = West }));
    }

    [Fact]
    public async Task Rotating_the_primary_gives_every_replica_the_new_material()
    {
        await using var server = await TestServer.StartAsync(regions: Regions);
        using var east = server.ClientIn(East);
        using var west = server.ClientIn(West);
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });
        var beforeRotation = (await west.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("v1") })).CiphertextBlob.ToArray();

        // AWS: rotation is a shared property, managed on the primary key.
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => west.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }));
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => west.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId }));
        await east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        var eastMaterial = (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.CurrentKeyMaterialId;
        var westMaterial = (await west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.CurrentKeyMaterialId;
        Assert.NotEqual(primary.CurrentKeyMaterialId, eastMaterial);
        Assert.Equal(eastMaterial, westMaterial);
        Assert.Single((await west.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId })).Rotations);
        var afterRotation = (await west.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("v2") })).CiphertextBlob.ToArray();
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString((await east.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(afterRotation) })).Plaintext.ToArray()));
        Assert.Equal("v1", System.Text.Encoding.UTF8.GetString((await east.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(beforeRotation) })).Plaintext.ToArray()));

        // Automatic rotation: enabled on the primary, shown by the replica, run on the primary and carried to the replica.
        await east.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 90 });
        var status = await west.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId });
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(90, status.RotationPeriodInDays);
        server.Clock.Advance(TimeSpan.FromDays(91));
        await server.Server.RunMaintenanceAsync();
        var rotations = (await west.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId })).Rotations;
        Assert.Equal(2, rotations.Count);
        Assert.Equal(rotations.Select(r => r.KeyMaterialId),
            (await east.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId })).Rotations.Select(r => r.KeyMaterialId));
    }

    [Fact]
    public async Task A_primary_with_replicas_waits_in_PendingReplicaDeletion_until_its_last_replica_is_deleted()
    {
        await using var server = await TestServer.StartAsync(regions: Regions);
        using var east = server.ClientIn(East);
        using var west = server.ClientIn(West);
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });
        var ciphertext = (await east.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("kept") })).CiphertextBlob.ToArray();

        var scheduled = await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        Assert.Equal(KeyState.PendingReplicaDeletion, scheduled.KeyState);
        Assert.Null(scheduled.DeletionDate); // AWS: unknown until the last replica is deleted
        Assert.Equal(7, scheduled.PendingWindowInDays);
        // model: DescribeKey shows the waiting period (PendingDeletionWindowInDays) only in PendingReplicaDeletion.
        var pending = (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(7, pending.PendingDeletionWindowInDays);
        Assert.Null(pending.DeletionDate);
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => east.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = KmsAssert.Bytes("x") }));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = South }));
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString((await west.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) })).Plaintext.ToArray()));

        // Cancelling works from PendingReplicaDeletion too (the key comes back disabled), and scheduling again waits again.
        await east.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = primary.KeyId });
        Assert.Equal(KeyState.Disabled, (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
        await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });

        server.Clock.Advance(TimeSpan.FromDays(10));
        await server.Server.RunMaintenanceAsync();
        Assert.Equal(KeyState.PendingReplicaDeletion, (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);

        await west.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        server.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await server.Server.RunMaintenanceAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId }));
        var waiting = (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, waiting.KeyState);
        Assert.Empty(waiting.MultiRegionConfiguration.ReplicaKeys ?? []);
        var expected = server.Clock.GetUtcNow().AddDays(7).UtcDateTime;
        Assert.InRange(waiting.DeletionDate!.Value.ToUniversalTime(), expected.AddSeconds(-5), expected.AddSeconds(5));
        Assert.Null(waiting.PendingDeletionWindowInDays); // model: once the last replica is gone, the DeletionDate replaces it

        server.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await server.Server.RunMaintenanceAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId }));
    }
}
