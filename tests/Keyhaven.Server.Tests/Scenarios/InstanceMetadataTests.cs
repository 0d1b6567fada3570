using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Network;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// Workload credentials bound to where they were issued: the AWS SDK's own instance-profile provider reads them from
/// Keyhaven's IMDSv2-compatible listener (AWS_EC2_METADATA_SERVICE_ENDPOINT), and a role policy requiring
/// aws:ec2InstanceSourceVpc == aws:SourceVpc and aws:ec2InstanceSourcePrivateIPv4 == aws:VpcSourceIp lets them work
/// only from that workload through its VPC's endpoint.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class InstanceMetadataTests
{
    private static string Config(string account) => $$$$"""
        {
          "vpcs": [
            { "id": "vpc-0app", "account": "{{{{account}}}}", "cidrs": ["127.0.0.0/29"] },
            { "id": "vpc-0other", "account": "{{{{account}}}}", "cidrs": ["127.0.0.0/28"] }
          ],
          "vpcEndpoints": [
            { "id": "vpce-0app", "vpc": "vpc-0app", "listen": "127.0.0.2:0" },
            { "id": "vpce-0other", "vpc": "vpc-0other", "listen": "127.0.0.4:0" }
          ],
          "instanceMetadata": {
            "listen": "127.0.0.5:0",
            "workloads": [ { "instanceId": "i-0123456789abcdef0", "role": "arn:aws:iam::{{{{account}}}}:role/AppServer", "vpc": "vpc-0app", "privateIp": "127.0.0.1" } ]
          }
        }
        """;

    [Fact]
    public async Task The_SDK_picks_up_workload_credentials_that_work_only_from_the_workload_through_its_VPC()
    {
        // The account is made on first start: start once to learn it, then restart with the configuration naming it.
        await using var server = await TestServer.StartAsync();
        var account = server.Server.Deployment.Account.Value;
        await server.RestartAsync(NetworkConfiguration.Parse(Config(account)));
        using var iam = new IamQueryClient(server);
        await iam.OkAsync("CreateRole", ("RoleName", "AppServer"), ("AssumeRolePolicyDocument",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""));
        await iam.OkAsync("PutRolePolicy", ("RoleName", "AppServer"), ("PolicyName", "bound"), ("PolicyDocument", """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{
              "aws:ec2InstanceSourceVpc":"${aws:SourceVpc}","aws:ec2InstanceSourcePrivateIPv4":"${aws:VpcSourceIp}"}}}]}
            """));
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        using var environment = new EnvironmentScope(("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.Server.InstanceMetadataUri!.ToString().TrimEnd('/')), ("AWS_EC2_METADATA_DISABLED", null));
        // The SDK reads its environment once per process (earlier tests made clients); a new process would read this.
        Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset();
        Assert.Equal(server.Server.InstanceMetadataUri!.ToString().TrimEnd('/'), Amazon.Util.EC2InstanceMetadata.ServiceEndpoint.TrimEnd('/'));
        var credentials = new InstanceProfileAWSCredentials();
        Assert.Equal("AppServer", credentials.Role);

        // From the workload, through its VPC's endpoint: allowed.
        using var fromWorkload = server.Kms(credentials, server.Server.VpcEndpointUri("vpce-0app"));
        var blob = (await fromWorkload.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("orders") })).CiphertextBlob;
        Assert.Equal("orders", Encoding.UTF8.GetString((await fromWorkload.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));

        // A copy of the same credentials: on the public listener, through another VPC's endpoint, and from another address.
        var copy = await credentials.GetCredentialsAsync();
        var stolen = new SessionAWSCredentials(copy.AccessKey, copy.SecretKey, copy.Token);
        using var publicPath = server.Kms(stolen);
        await DeniedAsync(() => publicPath.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        using var otherVpc = server.Kms(stolen, server.Server.VpcEndpointUri("vpce-0other"));
        await DeniedAsync(() => otherVpc.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        using var otherHost = new AmazonKeyManagementServiceClient(stolen, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Server.VpcEndpointUri("vpce-0app").ToString(), AuthenticationRegion = server.Region, MaxErrorRetry = 0,
            HttpClientFactory = new BoundSourceAddressFactory(IPAddress.Parse("127.0.0.3")),
        });
        await DeniedAsync(() => otherHost.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        using var copiedFromWorkload = server.Kms(stolen, server.Server.VpcEndpointUri("vpce-0app"));
        await copiedFromWorkload.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("the same host and path work") });
    }

    [Fact]
    public async Task The_metadata_listener_speaks_IMDSv2_and_renews_credentials_before_they_expire()
    {
        await using var server = await TestServer.StartAsync();
        await server.RestartAsync(NetworkConfiguration.Parse(Config(server.Server.Deployment.Account.Value)));
        using var iam = new IamQueryClient(server);
        using var http = new HttpClient { BaseAddress = server.Server.InstanceMetadataUri };
        // No token: 401. A TTL out of range: 400.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("latest/meta-data/instance-id")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(TokenRequest("21601"))).StatusCode);
        var token = await (await http.SendAsync(TokenRequest("60"))).Content.ReadAsStringAsync();
        Assert.Equal("i-0123456789abcdef0", await Get("latest/meta-data/instance-id"));
        Assert.Equal("AppServer", await Get("latest/meta-data/iam/security-credentials/"));

        // The role does not exist yet (or does not trust EC2): no credentials.
        using var missing = new HttpRequestMessage(HttpMethod.Get, "latest/meta-data/iam/security-credentials/AppServer");
        missing.Headers.Add("X-aws-ec2-metadata-token", token);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(missing)).StatusCode);
        await iam.OkAsync("CreateRole", ("RoleName", "AppServer"), ("AssumeRolePolicyDocument",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""));

        using var first = System.Text.Json.JsonDocument.Parse(await Get("latest/meta-data/iam/security-credentials/AppServer"));
        Assert.Equal("AWS-HMAC", first.RootElement.GetProperty("Type").GetString());
        Assert.Equal("Success", first.RootElement.GetProperty("Code").GetString());
        var firstKey = first.RootElement.GetProperty("AccessKeyId").GetString();
        using var again = System.Text.Json.JsonDocument.Parse(await Get("latest/meta-data/iam/security-credentials/AppServer"));
        Assert.Equal(firstKey, again.RootElement.GetProperty("AccessKeyId").GetString());

        // Their issue is in the trail, as CloudTrail records an instance profile's: the EC2 service assumed the role
        // (once: the second read handed out the same credentials), without the secret or the session token.
        var issues = (await server.EventsAsync()).Where(e => e.Event.EventName == "AssumeRole" && e.Event.UserIdentity.Type == "AWSService").ToList();
        var issue = Assert.Single(issues);
        Assert.Equal(("sts.amazonaws.com", "ec2.amazonaws.com"), (issue.Event.EventSource, issue.Event.UserIdentity.InvokedBy));
        Assert.Equal("i-0123456789abcdef0", issue.Event.RequestParameters!.Value.GetProperty("roleSessionName").GetString());
        Assert.Equal(firstKey, issue.Event.ResponseElements!.Value.GetProperty("credentials").GetProperty("accessKeyId").GetString());
        Assert.EndsWith(":role/AppServer", Assert.Single(issue.Event.Resources!).Arn);
        var issueJson = System.Text.Encoding.UTF8.GetString(issue.Json.Span);
        Assert.DoesNotContain(first.RootElement.GetProperty("SecretAccessKey").GetString()!, issueJson);
        Assert.DoesNotContain(first.RootElement.GetProperty("Token").GetString()!, issueJson);

        // 50 minutes on, 10 minutes remain: new credentials are handed out, while the old ones still work.
        server.Clock.Advance(TimeSpan.FromMinutes(50));
        token = await (await http.SendAsync(TokenRequest("60"))).Content.ReadAsStringAsync();
        using var renewed = System.Text.Json.JsonDocument.Parse(await Get("latest/meta-data/iam/security-credentials/AppServer"));
        Assert.NotEqual(firstKey, renewed.RootElement.GetProperty("AccessKeyId").GetString());
        var expiration = DateTimeOffset.Parse(renewed.RootElement.GetProperty("Expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expiration - server.Clock.GetUtcNow() > TimeSpan.FromMinutes(55));

        // A token is bound to the address that asked for it.
        using var elsewhere = new HttpClient(new SocketsHttpHandler { ConnectCallback = BoundSourceAddressFactory.Connect(IPAddress.Parse("127.0.0.3")) })
            { BaseAddress = server.Server.InstanceMetadataUri };
        using var borrowed = new HttpRequestMessage(HttpMethod.Get, "latest/meta-data/instance-id");
        borrowed.Headers.Add("X-aws-ec2-metadata-token", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await elsewhere.SendAsync(borrowed)).StatusCode); // 127.0.0.3 is no workload

        static HttpRequestMessage TokenRequest(string ttl)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "latest/api/token");
            request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
            return request;
        }

        async Task<string> Get(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-aws-ec2-metadata-token", token);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
    }

    [Fact]
    public async Task Workload_credentials_carry_their_instance_ARN_so_the_data_perimeter_deny_stops_them_off_the_VPC()
    {
        await using var server = await TestServer.StartAsync();
        var account = server.Server.Deployment.Account.Value;
        await server.RestartAsync(NetworkConfiguration.Parse(Config(account)));
        using var iam = new IamQueryClient(server);
        await iam.OkAsync("CreateRole", ("RoleName", "AppServer"), ("AssumeRolePolicyDocument",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""));
        // The Allow names the instance and the IMDSv2 delivery; the Deny is AWS's data-perimeter statement for EC2
        // credentials (network_perimeter_ec2 of aws-samples/data-perimeter-policy-examples, with this VPC as the expected one).
        // spec: service-authorization/latest/reference/list_amazonec2.html#amazonec2-policy-keys (ec2:SourceInstanceARN, ec2:RoleDelivery)
        await iam.OkAsync("PutRolePolicy", ("RoleName", "AppServer"), ("PolicyName", "perimeter"), ("PolicyDocument", $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["kms:*","iam:ListRoles"],"Resource":"*","Condition":{
                "StringEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:{{{{server.Region}}}}:{{{{account}}}}:instance/i-0123456789abcdef0"},
                "NumericGreaterThanEquals":{"ec2:RoleDelivery":"2.0"}}},
              {"Sid":"EnforceNetworkPerimeterOnEc2Credentials","Effect":"Deny","Action":"*","Resource":"*","Condition":{
                "BoolIfExists":{"aws:ViaAWSService":"false"},
                "NotIpAddressIfExists":{"aws:SourceIp":["192.0.2.0/24"]},
                "StringNotEqualsIfExists":{"aws:SourceVpc":["vpc-0app"]},
                "Null":{"ec2:SourceInstanceARN":"false"}}}]}
            """));
        var credentials = await WorkloadCredentialsAsync(server, "AppServer");

        // From the workload through its VPC's endpoint: the Allow matches, the perimeter Deny does not.
        using var fromWorkload = server.Kms(credentials, server.Server.VpcEndpointUri("vpce-0app"));
        await fromWorkload.CreateKeyAsync(new CreateKeyRequest());

        // The same credentials on the public listener: outside the perimeter, for KMS and IAM alike.
        using var publicPath = server.Kms(credentials);
        await DeniedAsync(() => publicPath.CreateKeyAsync(new CreateKeyRequest()));
        var copy = await credentials.GetCredentialsAsync();
        using var iamAsWorkload = new IamQueryClient(server, copy.AccessKey, copy.SecretKey, copy.Token);
        Assert.Equal("AccessDenied", (await iamAsWorkload.SendAsync("ListRoles")).ErrorCode);
    }

    [Fact]
    public async Task After_a_reload_changes_the_workloads_role_the_listener_hands_out_the_new_roles_credentials()
    {
        await using var server = await TestServer.StartAsync();
        var account = server.Server.Deployment.Account.Value;
        await server.RestartAsync(NetworkConfiguration.Parse(Config(account)));
        using var iam = new IamQueryClient(server);
        foreach (var role in new[] { "AppServer", "ReadOnly" })
        {
            await iam.OkAsync("CreateRole", ("RoleName", role), ("AssumeRolePolicyDocument",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""));
        }

        using var before = server.Sts(await WorkloadCredentialsAsync(server, "AppServer"));
        Assert.Contains(":assumed-role/AppServer/", (await before.GetCallerIdentityAsync(new Amazon.SecurityToken.Model.GetCallerIdentityRequest())).Arn);

        await server.Server.ReloadNetworkAsync(NetworkConfiguration.Parse(Config(account).Replace("role/AppServer", "role/ReadOnly", StringComparison.Ordinal)));
        using var after = server.Sts(await WorkloadCredentialsAsync(server, "ReadOnly"));
        Assert.Contains(":assumed-role/ReadOnly/", (await after.GetCallerIdentityAsync(new Amazon.SecurityToken.Model.GetCallerIdentityRequest())).Arn);
    }

    [Fact]
    public async Task A_full_token_table_refuses_new_tokens_with_503_until_tokens_expire()
    {
        await using var server = await TestServer.StartAsync();
        await server.RestartAsync(NetworkConfiguration.Parse(Config(server.Server.Deployment.Account.Value)),
            options => options with { InstanceMetadataMaxTokens = 3 });
        using var http = new HttpClient { BaseAddress = server.Server.InstanceMetadataUri };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(TokenRequest("60"))).StatusCode);
        }

        // Full, and no token has expired: refused, not added.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.SendAsync(TokenRequest("60"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.SendAsync(TokenRequest("60"))).StatusCode);

        // Once they expire, the sweep makes room again.
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(TokenRequest("60"))).StatusCode);
    }

    private static HttpRequestMessage TokenRequest(string ttl)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "latest/api/token");
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        return request;
    }

    /// <summary>Reads the workload's role credentials from the metadata listener, as an instance would (IMDSv2: token, then GET).</summary>
    private static async Task<SessionAWSCredentials> WorkloadCredentialsAsync(TestServer server, string roleName)
    {
        using var http = new HttpClient { BaseAddress = server.Server.InstanceMetadataUri };
        using var tokenResponse = await http.SendAsync(TokenRequest("60"));
        var token = await tokenResponse.Content.ReadAsStringAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "latest/meta-data/iam/security-credentials/" + roleName);
        request.Headers.Add("X-aws-ec2-metadata-token", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return new SessionAWSCredentials(root.GetProperty("AccessKeyId").GetString(), root.GetProperty("SecretAccessKey").GetString(), root.GetProperty("Token").GetString());
    }

    /// <summary>An SDK HTTP client factory whose connections leave from a given local address (another host on the loopback network).</summary>
    private sealed class BoundSourceAddressFactory(IPAddress source) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new SocketsHttpHandler { ConnectCallback = Connect(source) });

        public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(IPAddress source) => async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
}
