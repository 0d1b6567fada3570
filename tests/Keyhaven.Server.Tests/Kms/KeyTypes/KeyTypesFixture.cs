using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>One server, and one key per (spec, usage) made on first use and shared by the tests of a class (RSA keys take a while to make).</summary>
public sealed class KeyTypesFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<(string, string), Lazy<Task<KeyMetadata>>> _keys = new();

    public TestServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    public Task<KeyMetadata> KeyAsync(string spec, string usage) =>
        _keys.GetOrAdd((spec, usage), _ => new Lazy<Task<KeyMetadata>>(async () =>
            (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata)).Value;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        Kms = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Kms.Dispose();
        await Server.DisposeAsync();
    }
}
