using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>AWS SDK clients for STS and KMS against a test server, with any credentials.</summary>
public static class StsClients
{
    public static AmazonSecurityTokenServiceClient Sts(this TestServer server, AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = server.Server.Endpoint.ToString(),
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 2,
        });

    public static AmazonSecurityTokenServiceClient Sts(this TestServer server) => server.Sts(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey));

    public static AmazonKeyManagementServiceClient Kms(this TestServer server, AWSCredentials credentials) =>
        new(credentials, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Server.Endpoint.ToString(),
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 2,
        });
}
