using Amazon.EC2;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Ec2;

/// <summary>AWS SDK EC2 clients against a test server, with the bootstrap or any credentials.</summary>
public static class Ec2Clients
{
    public static AmazonEC2Client Ec2(this TestServer server, AWSCredentials? credentials = null, Uri? endpoint = null) =>
        new(credentials ?? new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey), new AmazonEC2Config
        {
            ServiceURL = (endpoint ?? server.Server.Endpoint).ToString(),
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 0,
        });

    /// <summary>Asserts an EC2 error by its code.</summary>
    public static async Task<AmazonEC2Exception> Ec2FailsAsync(string errorCode, Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(call);
        Assert.True(error.ErrorCode == errorCode, $"expected {errorCode}, got {error.ErrorCode}: {error.Message}");
        return error;
    }
}
