using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>AWS SDK clients for STS and KMS against a test server, with any credentials.</summary>
public static class StsClients
{
    public static AmazonSecurityTokenServiceClient Sts(this TestServer server, AWSCredentials credentials, Uri? endpoint = null) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = (endpoint ?? server.Server.Endpoint).ToString(),
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 2,
        });

    public static AmazonSecurityTokenServiceClient Sts(this TestServer server) => server.Sts(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey));

    public static AmazonKeyManagementServiceClient Kms(this TestServer server, AWSCredentials credentials, Uri? endpoint = null) =>
        new(credentials, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = (endpoint ?? server.Server.Endpoint).ToString(),
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 2,
        });
}
