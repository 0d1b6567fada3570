using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>Automatic and on-demand rotation of symmetric keys through the AWS SDK, with the server's clock moved.</summary>
public sealed class RotationTests
{
    [Fact]
    public async Task Rotation_is_off_by_default_and_EnableKeyRotation_schedules_the_next_rotation()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.False(status.KeyRotationEnabled);

        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(365, status.RotationPeriodInDays); // AWS KMS: the default rotation period is 365 days
        Assert.Equal(key.Arn, status.KeyId);
        var expected = server.Clock.GetUtcNow().AddDays(365).UtcDateTime;
        Assert.InRange(status.NextRotationDate!.Value.ToUniversalTime(), expected.AddMinutes(-1), expected.AddMinutes(1));

        await kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId });
        status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.NextRotationDate);
    }

    [Fact]
    public async Task A_key_pending_deletion_reports_rotation_off_and_cancelling_the_deletion_restores_it()
    {
        // spec: kms/2014-11-01 GetKeyRotationStatus: "While a KMS key is pending deletion, its key rotation status is
        // false ... If you cancel the deletion, the original key rotation status returns to true."
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 180 });
        var before = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        var pending = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.False(pending.KeyRotationEnabled);
        Assert.Null(pending.NextRotationDate);

        await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        var restored = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.True(restored.KeyRotationEnabled);
        Assert.Equal(180, restored.RotationPeriodInDays);
        Assert.Equal(before.NextRotationDate, restored.NextRotationDate);
    }

    [Theory]
    [InlineData(89)]
    [InlineData(2561)]
    public async Task The_rotation_period_must_be_90_to_2560_days(int days)
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = days }));
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task The_scheduler_rotates_when_due_and_every_version_keeps_decrypting()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });
        var ciphertexts = new List<MemoryStream> { (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([0]) })).CiphertextBlob };

        server.Clock.Advance(TimeSpan.FromDays(89));
        await server.Server.RunMaintenanceAsync();
        Assert.Empty((await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);

        for (byte round = 1; round <= 2; round++)
        {
            server.Clock.Advance(TimeSpan.FromDays(round == 1 ? 2 : 90));
            await server.Server.RunMaintenanceAsync();
            ciphertexts.Add((await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([round]) })).CiphertextBlob);
        }

        var rotations = (await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations;
        Assert.Equal(2, rotations.Count);
        Assert.All(rotations, r => Assert.Equal(RotationType.AUTOMATIC, r.RotationType));
        Assert.All(rotations, r => Assert.Matches("^[0-9a-f]{64}$", r.KeyMaterialId));
        var described = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(rotations[^1].KeyMaterialId, described.CurrentKeyMaterialId);
        var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        var expected = server.Clock.GetUtcNow().AddDays(90).UtcDateTime;
        Assert.InRange(status.NextRotationDate!.Value.ToUniversalTime(), expected.AddMinutes(-1), expected.AddMinutes(1));

        for (var i = 0; i < ciphertexts.Count; i++)
        {
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = ciphertexts[i] });
            Assert.Equal([(byte)i], decrypted.Plaintext.ToArray());
        }

        Assert.Equal(3, ciphertexts.Select(c => Convert.ToBase64String(c.ToArray()[..80])).Distinct().Count());
    }

    [Fact]
    public async Task A_disabled_key_is_not_rotated_by_the_scheduler()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });
        await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        server.Clock.Advance(TimeSpan.FromDays(100));
        await server.Server.RunMaintenanceAsync();
        Assert.Empty((await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);
        await Assert.ThrowsAsync<DisabledException>(() => kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task RotateKeyOnDemand_rotates_at_once_at_most_25_times_per_key()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var first = (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([42]) })).CiphertextBlob;
        for (var i = 0; i < 25; i++)
        {
            var rotated = await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
            Assert.Equal(key.KeyId, rotated.KeyId);
        }

        // AWS KMS: at most 25 on-demand rotations per key.
        await Assert.ThrowsAsync<LimitExceededException>(() => kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }));

        var all = new List<RotationsListEntry>();
        string? marker = null;
        do
        {
            var page = await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Limit = 10, Marker = marker });
            all.AddRange(page.Rotations);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        Assert.Equal(25, all.Count);
        Assert.All(all, r => Assert.Equal(RotationType.ON_DEMAND, r.RotationType));
        Assert.NotNull((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).OnDemandRotationStartDate);
        Assert.Equal([42], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = first })).Plaintext.ToArray());
    }
}
