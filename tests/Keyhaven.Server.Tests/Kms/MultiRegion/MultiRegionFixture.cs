using Amazon.KeyManagementService;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.MultiRegion;

/// <summary>One server answering for three regions, and a client signing for each, as applications in three regions would use it.</summary>
public sealed class MultiRegionFixture : IAsyncLifetime
{
    public const string East = "us-east-1";
    public const string West = "eu-west-1";
    public const string South = "ap-southeast-2";

    public static readonly string[] Regions = [East, West, South];

    public TestServer Server { get; private set; } = null!;
    public AmazonKeyManagementServiceClient InEast { get; private set; } = null!;
    public AmazonKeyManagementServiceClient InWest { get; private set; } = null!;
    public AmazonKeyManagementServiceClient InSouth { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(regions: Regions);
        InEast = Server.ClientIn(East);
        InWest = Server.ClientIn(West);
        InSouth = Server.ClientIn(South);
    }

    public async Task DisposeAsync()
    {
        InEast.Dispose();
        InWest.Dispose();
        InSouth.Dispose();
        await Server.DisposeAsync();
    }
}
