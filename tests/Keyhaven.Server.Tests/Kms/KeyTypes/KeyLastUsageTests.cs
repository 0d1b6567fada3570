using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>GetKeyLastUsage: the last successful cryptographic operation with a key, kept across a restart.</summary>
public sealed class KeyLastUsageTests
{
    [Fact]
    public async Task The_last_successful_operation_is_reported_and_survives_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata;

        var fresh = await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });
        Assert.Equal(key.KeyId, fresh.KeyId);
        Assert.Null(fresh.KeyLastUsage?.Operation);
        Assert.Equal(key.CreationDate, fresh.KeyCreationDate);
        Assert.Equal(key.CreationDate, fresh.TrackingStartDate);

        // A DryRun and a failed call are not usage; a successful GenerateMac is.
        await Assert.ThrowsAsync<DryRunOperationException>(() => kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = Bytes("m"), MacAlgorithm = "HMAC_SHA_256", DryRun = true }));
        Assert.Null((await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.Arn })).KeyLastUsage?.Operation);
        var mac = await kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = Bytes("m"), MacAlgorithm = "HMAC_SHA_256" });
        await Assert.ThrowsAsync<KMSInvalidMacException>(() => kms.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = Bytes("n"), MacAlgorithm = "HMAC_SHA_256", Mac = mac.Mac }));

        var used = await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });
        Assert.Equal(KeyLastUsageTrackingOperation.GenerateMac, used.KeyLastUsage.Operation);
        Assert.Equal(mac.ResponseMetadata.RequestId, used.KeyLastUsage.KmsRequestId);
        Assert.InRange(used.KeyLastUsage.Timestamp!.Value, key.CreationDate!.Value.AddSeconds(-1), DateTime.UtcNow.AddSeconds(5));

        kms.Dispose();
        await server.RestartAsync();
        using var again = server.Client();
        var afterRestart = await again.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });
        Assert.Equal(KeyLastUsageTrackingOperation.GenerateMac, afterRestart.KeyLastUsage.Operation);
        Assert.Equal(mac.ResponseMetadata.RequestId, afterRestart.KeyLastUsage.KmsRequestId);

        // AWS: alias names are not supported by GetKeyLastUsage.
        await again.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/usage", TargetKeyId = key.KeyId });
        await Assert.ThrowsAsync<NotFoundException>(() => again.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = "alias/usage" }));
    }
}
