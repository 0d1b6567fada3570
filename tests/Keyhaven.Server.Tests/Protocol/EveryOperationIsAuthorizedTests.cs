using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Protocol;

/// <summary>
/// Every operation of the KMS API model (and of IAM, STS, Organizations, CloudTrail and EC2), called by a caller that may do nothing, is refused: unauthenticated callers
/// get MissingAuthenticationTokenException, and an IAM user without policies gets AccessDeniedException (or
/// UnknownOperationException for the operations this release does not implement). No operation bypasses the pipeline,
/// and every request, refused or not, leaves exactly one audit event naming its service and operation. Every operation
/// that reaches authorization (so is implemented) has an entry in its service's audit allow-list, without which its
/// events would record no parameters.
/// </summary>
public sealed class EveryOperationIsAuthorizedTests
{
    private static IReadOnlyList<string> KmsOperations() => Operations("kms-2014-11-01.json");

    private static IReadOnlyList<string> Operations(string modelFile)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Keyhaven.slnx not found above the test directory.");
        }

        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "..", "shared", "reference", "aws-models", modelFile)));
        return [.. model.RootElement.GetProperty("operations").EnumerateObject().Select(o => o.Name)];
    }

    [Fact]
    public async Task No_kms_operation_runs_for_a_caller_without_permission()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/existing", TargetKeyId = key.KeyId });
        var blob = Convert.ToBase64String((await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray());
        using var iam = new IamQueryClient(server);
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = $"arn:aws:iam::{key.AWSAccountId}:root", Operations = ["Decrypt"] });

        // One body carries a valid value for every member any operation needs, so that each request gets as far as authorization.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["KeyId"] = key.Arn, ["TargetKeyId"] = key.KeyId, ["DestinationKeyId"] = key.KeyId, ["AliasName"] = "alias/existing",
            ["Plaintext"] = "AQ==", ["CiphertextBlob"] = blob, ["KeySpec"] = "AES_256", ["NumberOfBytes"] = 16, ["Description"] = "d",
            ["Policy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}", ["PolicyName"] = "default", ["Tags"] = new[] { new { TagKey = "a", TagValue = "b" } },
            ["TagKeys"] = new[] { "a" }, ["GranteePrincipal"] = userArn, ["RetiringPrincipal"] = userArn, ["Operations"] = new[] { "Decrypt" },
            ["GrantId"] = grant.GrantId, ["GrantToken"] = grant.GrantToken, ["PendingWindowInDays"] = 7, ["RotationPeriodInDays"] = 90,
            ["ReplicaRegion"] = "us-west-2", ["PrimaryRegion"] = "us-west-2",
        });

        using var raw = new RawKmsClient(server);
        var implemented = 0;
        foreach (var operation in KmsOperations())
        {
            var sequence = server.Server.AuditTrail.LastSequence;
            var anonymous = await raw.SendAsync("TrentService." + operation, body, sign: false);
            Assert.True(anonymous.ErrorType == "MissingAuthenticationTokenException", $"{operation} without credentials answered {anonymous.Status} {anonymous.ErrorType}");
            sequence = await AssertOneEventAsync(server, sequence, "kms.amazonaws.com", operation, "MissingAuthenticationTokenException");

            var response = await raw.SendAsync("TrentService." + operation, body, accessKeyId, secret);
            await AssertOneEventAsync(server, sequence, "kms.amazonaws.com", operation, response.ErrorType!);
            Assert.True(response.ErrorType is "AccessDeniedException" or "UnknownOperationException",
                $"{operation} by a user without permissions answered {response.Status} {response.ErrorType}: {response.Message}");
            if (response.ErrorType == "AccessDeniedException")
            {
                AssertAllowListed(Keyhaven.Server.Kms.KmsAuditProfile.Instance, operation);
                implemented++;
                Assert.Contains($"User: {userArn} is not authorized to perform: kms:", response.Message);
            }
        }

        Assert.True(implemented >= 34, $"only {implemented} operations reached authorization");
        Assert.Equal("alias/existing", (await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId })).Aliases.Single().AliasName);
        Assert.Equal(Amazon.KeyManagementService.KeyState.Enabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Theory]
    [InlineData("iam", "2010-05-08", "iam-2010-05-08.json")]
    [InlineData("sts", "2011-06-15", "sts-2011-06-15.json")]
    public async Task No_iam_or_sts_operation_runs_for_a_caller_without_permission(string service, string version, string modelFile)
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (_, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        var (otherArn, _, _) = await iam.CreateUserWithKeyAsync("somebody-else");
        var roleArn = await iam.CreateRoleAsync("NotForNobody", otherArn);
        var parameters = new Dictionary<string, string>
        {
            ["UserName"] = "somebody-else", ["RoleName"] = "NotForNobody", ["RoleArn"] = roleArn, ["RoleSessionName"] = "session",
            ["PolicyName"] = "p", ["PolicyDocument"] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            ["AssumeRolePolicyDocument"] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}", ["AccessKeyId"] = accessKeyId, ["Status"] = "Inactive",
            ["WebIdentityToken"] = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSJ9.c2ln",
            ["OpenIDConnectProviderArn"] = "arn:aws:iam::123456789012:oidc-provider/idp.example.com", ["Url"] = "https://idp.example.com", ["ClientID"] = "app",
        };

        // AWS: GetCallerIdentity and GetSessionToken need no permission; every other call needs one this user lacks.
        string[] needNoPermission = ["GetCallerIdentity", "GetSessionToken"];
        using var http = new HttpClient();
        var reachedAuthorization = 0;
        foreach (var action in Operations(modelFile).Where(a => !needNoPermission.Contains(a)))
        {
            var form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters.Select(p => (p.Key, p.Value)))
                .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
            var body = System.Text.Encoding.UTF8.GetBytes(form);
            var sequence = server.Server.AuditTrail.LastSequence;
            var anonymous = await SendQueryAsync(http, server, body, null, null, service);
            if (action == "AssumeRoleWithWebIdentity")
            {
                // AWS: this call is unsigned; the web identity token is its credential, and a token of no registered provider is refused.
                Assert.True(anonymous.Contains("<Code>InvalidIdentityToken</Code>", StringComparison.Ordinal), $"{service}:{action} with a foreign token answered {anonymous}");
                AssertAllowListed(Keyhaven.Server.Sts.StsAuditProfile.Instance, action);
                reachedAuthorization++;
                continue;
            }

            Assert.True(anonymous.Contains("MissingAuthenticationToken", StringComparison.Ordinal), $"{service}:{action} without credentials answered {anonymous}");
            sequence = await AssertOneEventAsync(server, sequence, service + ".amazonaws.com", action, "MissingAuthenticationTokenException");

            var response = await SendQueryAsync(http, server, body, accessKeyId, secret, service);
            await AssertOneEventAsync(server, sequence, service + ".amazonaws.com", action,
                response.Contains("<Code>InvalidAction</Code>", StringComparison.Ordinal) ? "InvalidAction" : "AccessDenied");
            Assert.True(response.Contains("<Code>AccessDenied", StringComparison.Ordinal) || response.Contains("<Code>InvalidAction</Code>", StringComparison.Ordinal),
                $"{service}:{action} by a user without permissions answered {response}");
            if (response.Contains("<Code>AccessDenied", StringComparison.Ordinal))
            {
                AssertAllowListed(service == "iam" ? Keyhaven.Server.Iam.IamAuditProfile.Instance : Keyhaven.Server.Sts.StsAuditProfile.Instance, action);
                reachedAuthorization++;
            }
        }

        Assert.True(reachedAuthorization >= (service == "iam" ? 20 : 1), $"only {reachedAuthorization} {service} operations reached authorization");
        var user = await iam.OkAsync("GetUser", ("UserName", "somebody-else"));
        Assert.NotNull(user.Value("Arn"));
    }

    /// <summary>Every operation of the EC2 API (as the AWS SDK for .NET names them: there is no EC2 model in the reference set).</summary>
    private static IReadOnlyList<string> Ec2Operations() =>
        [.. typeof(Amazon.EC2.IAmazonEC2).GetMethods()
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.GetParameters() is [{ ParameterType.Name: var request }, ..] && request == m.Name[..^5] + "Request")
            .Select(m => m.Name[..^5]).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public async Task No_ec2_operation_runs_for_a_caller_without_permission()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        var form = "VpcEndpointId=vpce-0kms";
        using var http = new HttpClient();
        var operations = Ec2Operations();
        Assert.Contains("ModifyVpcEndpoint", operations);
        Assert.Contains("DescribeVpcEndpoints", operations);
        var reachedAuthorization = new List<string>();
        foreach (var action in operations)
        {
            var body = System.Text.Encoding.UTF8.GetBytes($"Action={action}&Version=2016-11-15&{form}");
            var sequence = server.Server.AuditTrail.LastSequence;
            var anonymous = await SendQueryAsync(http, server, body, null, null, "ec2");
            Assert.True(anonymous.StartsWith("401 ", StringComparison.Ordinal) && anonymous.Contains("<Code>MissingAuthenticationToken</Code>", StringComparison.Ordinal),
                $"ec2:{action} without credentials answered {anonymous}");
            sequence = await AssertOneEventAsync(server, sequence, "ec2.amazonaws.com", action, "MissingAuthenticationToken");

            var response = await SendQueryAsync(http, server, body, accessKeyId, secret, "ec2");
            var denied = response.Contains("<Code>UnauthorizedOperation</Code>", StringComparison.Ordinal);
            await AssertOneEventAsync(server, sequence, "ec2.amazonaws.com", action, denied ? "UnauthorizedOperation" : "InvalidAction");
            Assert.True(denied || response.Contains("<Code>InvalidAction</Code>", StringComparison.Ordinal), $"ec2:{action} by a user without permissions answered {response}");
            if (denied)
            {
                Assert.Contains($"User: {userArn} is not authorized to perform: ec2:{action}", response);
                AssertAllowListed(Keyhaven.Server.Ec2.Ec2AuditProfile.Instance, action);
                reachedAuthorization.Add(action);
            }
        }

        Assert.Equal(["DescribeVpcEndpoints", "ModifyVpcEndpoint"], reachedAuthorization);
    }

    /// <summary>The service's audit allow-list has an entry for <paramref name="operation"/>.</summary>
    private static void AssertAllowListed(Keyhaven.Server.Audit.AuditProfile profile, string operation) =>
        Assert.True(profile.Find(operation) is not null, $"{profile.EventSource} {operation} is implemented but has no entry in the audit allow-list");

    /// <summary>Exactly one event was recorded since <paramref name="after"/>, for this operation and outcome; returns its sequence.</summary>
    private static async Task<long> AssertOneEventAsync(TestServer server, long after, string eventSource, string operation, string errorCode)
    {
        var recorded = await server.EventsAsync(after);
        var single = Assert.Single(recorded);
        Assert.True((single.Event.EventSource, single.Event.EventName) == (eventSource, operation),
            $"{operation} was recorded as {single.Event.EventSource} {single.Event.EventName}");
        Assert.StartsWith(errorCode, single.Event.ErrorCode);
        return single.Sequence;
    }

    private static async Task<string> SendQueryAsync(HttpClient http, TestServer server, byte[] body, string? accessKeyId, string? secret, string service)
    {
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var uri = server.Server.Endpoint;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (accessKeyId is not null)
        {
            var signer = new Keyhaven.SigV4.SigV4Signer(new Keyhaven.SigV4.SigV4Credentials(accessKeyId, secret!), server.Region, service, server.Clock);
            foreach (var header in signer.Sign(Keyhaven.SigV4.SigV4SigningRequest.Create("POST", uri, [new("Content-Type", contentType)], body)).HeadersToAdd)
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        using var response = await http.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    [Fact]
    public async Task No_organizations_operation_runs_for_a_caller_without_permission()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (_, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        using var raw = new RawKmsClient(server);
        var created = await raw.SendAsync("AWSOrganizationsV20161128.CreateOrganization", "{\"FeatureSet\":\"ALL\"}", service: "organizations");
        Assert.Equal(200, created.Status);

        var rootId = (await raw.SendAsync("AWSOrganizationsV20161128.ListRoots", "{}", service: "organizations")).Body.GetProperty("Roots")[0].GetProperty("Id").GetString();
        var account = server.Server.Deployment.Account.Value;

        // One body with a valid value for every member any operation needs, so that each request gets as far as authorization.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["PolicyId"] = "p-FullAWSAccess", ["TargetId"] = rootId!, ["AccountId"] = account, ["ParentId"] = rootId!, ["RootId"] = rootId!,
            ["ChildId"] = account, ["SourceParentId"] = rootId!, ["DestinationParentId"] = rootId!, ["Name"] = "name", ["Description"] = "d",
            ["Content"] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
            ["Type"] = "SERVICE_CONTROL_POLICY", ["PolicyType"] = "SERVICE_CONTROL_POLICY", ["Filter"] = "SERVICE_CONTROL_POLICY",
            ["Email"] = "x@example.com", ["AccountName"] = "x", ["FeatureSet"] = "ALL", ["ChildType"] = "ACCOUNT",
            ["CreateAccountRequestId"] = "car-0123456789abcdef0123456789abcdef", ["OrganizationalUnitId"] = "ou-abcd-12345678",
        });
        var reachedAuthorization = 0;
        foreach (var operation in Operations("organizations-2016-11-28.json"))
        {
            var target = "AWSOrganizationsV20161128." + operation;
            var sequence = server.Server.AuditTrail.LastSequence;
            var anonymous = await raw.SendAsync(target, "{}", sign: false, service: "organizations");
            Assert.True(anonymous.ErrorType == "MissingAuthenticationTokenException", $"{operation} without credentials answered {anonymous.Status} {anonymous.ErrorType}");
            sequence = await AssertOneEventAsync(server, sequence, "organizations.amazonaws.com", operation, "MissingAuthenticationTokenException");

            // AWS Organizations: only the management account may manage the organization.
            var response = await raw.SendAsync(target, body, accessKeyId, secret, service: "organizations");
            await AssertOneEventAsync(server, sequence, "organizations.amazonaws.com", operation, response.ErrorType!);
            Assert.True(response.ErrorType is "AccessDeniedException" or "UnknownOperationException",
                $"{operation} by a user without permissions answered {response.Status} {response.ErrorType}: {response.Message}");
            if (response.ErrorType == "AccessDeniedException")
            {
                AssertAllowListed(Keyhaven.Server.Organizations.OrganizationsAuditProfile.Instance, operation);
                reachedAuthorization++;
            }
        }

        Assert.True(reachedAuthorization >= 20, $"only {reachedAuthorization} organizations operations reached authorization");
    }

    [Fact]
    public async Task No_cloudtrail_operation_runs_for_a_caller_without_permission()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        using var raw = new RawKmsClient(server);
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["LookupAttributes"] = new[] { new { AttributeKey = "EventName", AttributeValue = "CreateUser" } }, ["MaxResults"] = 5,
            ["TrailName"] = "t", ["Name"] = "n", ["S3BucketName"] = "b", ["EventDataStore"] = "e", ["QueryId"] = "q", ["ResourceIdList"] = new[] { "r" },
        });
        var reachedAuthorization = 0;
        foreach (var operation in Operations("cloudtrail-2013-11-01.json"))
        {
            var target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." + operation;
            var sequence = server.Server.AuditTrail.LastSequence;
            var anonymous = await raw.SendAsync(target, body, sign: false, service: "cloudtrail");
            Assert.True(anonymous.ErrorType == "MissingAuthenticationTokenException", $"{operation} without credentials answered {anonymous.Status} {anonymous.ErrorType}");
            sequence = await AssertOneEventAsync(server, sequence, "cloudtrail.amazonaws.com", operation, "MissingAuthenticationTokenException");

            var response = await raw.SendAsync(target, body, accessKeyId, secret, service: "cloudtrail");
            Assert.True(response.ErrorType is "AccessDeniedException" or "UnknownOperationException",
                $"{operation} by a user without permissions answered {response.Status} {response.ErrorType}: {response.Message}");
            await AssertOneEventAsync(server, sequence, "cloudtrail.amazonaws.com", operation, response.ErrorType!);
            if (response.ErrorType == "AccessDeniedException")
            {
                reachedAuthorization++;
                Assert.Contains($"User: {userArn} is not authorized to perform: cloudtrail:LookupEvents", response.Message);
                AssertAllowListed(Keyhaven.Server.CloudTrail.CloudTrailAuditProfile.Instance, operation);
            }
        }

        Assert.Equal(1, reachedAuthorization);
    }
}
