using Amazon.KeyManagementService;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>One server shared by the tests of a class that do not move the clock or restart it.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

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
