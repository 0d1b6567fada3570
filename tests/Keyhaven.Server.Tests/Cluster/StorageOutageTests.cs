using System.Diagnostics;
using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Storage.Backends;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Cluster;

/// <summary>PostgreSQL goes away and comes back under a running server (a cluster of the test's own, stopped and started).</summary>
public sealed class StorageOutageTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task While_PostgreSQL_is_down_every_request_fails_fast_with_a_5xx_and_when_it_returns_requests_succeed_without_a_restart()
    {
        await using var database = await PrivatePostgresCluster.StartAsync();
        await using var server = await TestServer.StartAsync(storage: StorageLocation.Parse(database.ConnectionString));
        using var kms = server.Client(maxErrorRetry: 0);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "outlives the outage" })).KeyMetadata;
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("before") })).CiphertextBlob;
        await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }); // the key and the caller are cached now

        await database.StopAsync();
        await UntilAsync(() => !server.Server.Backend.Changes.IsLive, "the node to notice");

        // Nothing is answered from memory that could be stale: every call needs storage, and fails fast.
        var calls = new Dictionary<string, Func<Task>>
        {
            ["Encrypt"] = () => kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("during") }),
            ["Decrypt"] = () => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) }),
            ["DescribeKey"] = () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }),
            ["CreateKey"] = () => kms.CreateKeyAsync(new CreateKeyRequest()),
            ["DisableKey"] = () => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }),
        };
        foreach (var (name, call) in calls)
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(call);
            Assert.True((int)error.StatusCode >= 500, $"{name} answered {(int)error.StatusCode} {error.ErrorCode}");
            Assert.Contains(error.ErrorCode, new[] { "KMSInternalException", "ServiceUnavailable" });
            Assert.True(clock.Elapsed < Fast, $"{name} took {clock.Elapsed} to fail");
        }

        await database.StartAgainAsync();
        await UntilAsync(() => server.Server.Backend.Changes.IsLive, "the node to reconnect");
        using var after = server.Client();
        var plaintext = (await after.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) })).Plaintext;
        Assert.Equal("before", Encoding.UTF8.GetString(plaintext.ToArray()));
        var described = (await after.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.True(described.Enabled); // the refused DisableKey changed nothing
        await after.CreateKeyAsync(new CreateKeyRequest());
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"Waited {clock.Elapsed} for {what}.");
            await Task.Delay(20);
        }
    }
}
