using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Audit;

/// <summary>
/// Every request leaves one CloudTrail-shaped event: allowed, denied and failed ones, authenticated or not, with
/// the caller, the allow-listed parameters, the resources and (for denials) the authorization decision, and never
/// a plaintext, data key, ciphertext, secret access key or session token.
/// </summary>
public sealed class AuditEventTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _fixture;

    public AuditEventTests(ServerFixture fixture) => _fixture = fixture;

    private TestServer Server => _fixture.Server;

    [Fact]
    public async Task Encrypt_is_recorded_with_key_context_and_caller_but_no_plaintext_or_ciphertext()
    {
        var kms = _fixture.Kms;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "audited" })).KeyMetadata;
        var plaintext = "top secret payload 0123456789"u8.ToArray();
        var encrypted = await kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = new() { ["purpose"] = "audit-test" },
        });

        var stored = await Server.EventOfAsync(encrypted.ResponseMetadata.RequestId);
        var e = stored.Event;
        Assert.Equal("1.09", e.EventVersion);
        Assert.Equal("kms.amazonaws.com", e.EventSource);
        Assert.Equal("Encrypt", e.EventName);
        Assert.Equal(Server.Region, e.AwsRegion);
        Assert.Equal("127.0.0.1", e.SourceIPAddress);
        Assert.Contains("aws-sdk-dotnet", e.UserAgent);
        Assert.Equal("Root", e.UserIdentity.Type);
        Assert.Equal(Server.AccessKeyId, e.UserIdentity.AccessKeyId);
        Assert.Equal($"arn:aws:iam::{key.AWSAccountId}:root", e.UserIdentity.Arn);
        Assert.Equal(key.AWSAccountId, e.UserIdentity.AccountId);
        Assert.True(e.ReadOnly);
        Assert.Null(e.ErrorCode);
        Assert.Null(e.ResponseElements);
        Assert.Equal("AwsApiCall", e.EventType);
        Assert.Equal(key.AWSAccountId, e.RecipientAccountId);
        Assert.True(Guid.TryParse(e.EventID, out _));
        var resource = Assert.Single(e.Resources!);
        Assert.Equal((key.Arn, key.AWSAccountId, "AWS::KMS::Key"), (resource.Arn, resource.AccountId, resource.Type));
        var parameters = e.RequestParameters!.Value;
        Assert.Equal(key.KeyId, parameters.GetProperty("keyId").GetString());
        Assert.Equal("audit-test", parameters.GetProperty("encryptionContext").GetProperty("purpose").GetString());
        Assert.False(parameters.TryGetProperty("plaintext", out _));
        Assert.Equal("SYMMETRIC_DEFAULT", parameters.GetProperty("encryptionAlgorithm").GetString()); // CloudTrail records the default

        var json = Encoding.UTF8.GetString(stored.Json.Span);
        Assert.DoesNotContain(Convert.ToBase64String(plaintext), json);
        Assert.DoesNotContain(Convert.ToBase64String(encrypted.CiphertextBlob.ToArray()), json);
        Assert.DoesNotContain("top secret", json);
        using var document = JsonDocument.Parse(stored.Json);
        foreach (var member in new[] { "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
                     "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "resources", "eventType", "recipientAccountId" })
        {
            Assert.True(document.RootElement.TryGetProperty(member, out _), $"the event has no `{member}`");
        }
    }

    [Fact]
    public async Task Data_keys_and_decrypted_plaintext_never_reach_the_trail()
    {
        var kms = _fixture.Kms;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var dataKey = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });
        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });

        foreach (var requestId in new[] { dataKey.ResponseMetadata.RequestId, decrypted.ResponseMetadata.RequestId })
        {
            var stored = await Server.EventOfAsync(requestId);
            var json = Encoding.UTF8.GetString(stored.Json.Span);
            Assert.DoesNotContain(Convert.ToBase64String(dataKey.Plaintext.ToArray()), json);
            Assert.DoesNotContain(Convert.ToBase64String(dataKey.CiphertextBlob.ToArray()), json);
            Assert.Null(stored.Event.ResponseElements);
            Assert.Equal(key.Arn, Assert.Single(stored.Event.Resources!).Arn);
        }

        Assert.Equal("Decrypt", (await Server.EventOfAsync(decrypted.ResponseMetadata.RequestId)).Event.EventName);
    }

    [Fact]
    public async Task Grant_tokens_sent_with_a_request_never_reach_the_trail()
    {
        var kms = _fixture.Kms;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = $"arn:aws:iam::{key.AWSAccountId}:root",
            Operations = [GrantOperation.Encrypt, GrantOperation.GenerateDataKey, GrantOperation.DescribeKey, GrantOperation.CreateGrant],
        });
        List<string> tokens = [grant.GrantToken];

        var requestIds = new[]
        {
            (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]), GrantTokens = tokens })).ResponseMetadata.RequestId,
            (await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, GrantTokens = tokens })).ResponseMetadata.RequestId,
            (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId, GrantTokens = tokens })).ResponseMetadata.RequestId,
            (await kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId, GranteePrincipal = $"arn:aws:iam::{key.AWSAccountId}:root", Operations = [GrantOperation.Encrypt], GrantTokens = tokens,
            })).ResponseMetadata.RequestId,
        };

        foreach (var requestId in requestIds)
        {
            var stored = await Server.EventOfAsync(requestId);
            Assert.Equal(key.KeyId, stored.Event.RequestParameters!.Value.GetProperty("keyId").GetString());
            Assert.False(stored.Event.RequestParameters!.Value.TryGetProperty("grantTokens", out _), $"{stored.Event.EventName} recorded its grant tokens");
            Assert.DoesNotContain(grant.GrantToken, Encoding.UTF8.GetString(stored.Json.Span));
        }
    }

    [Fact]
    public async Task Organizations_events_leave_out_email_and_account_name_and_keep_error_messages()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var before = server.Server.AuditTrail.LastSequence;
        var created = await raw.OrganizationsAsync("CreateAccount", new { Email = "finance-team@example.com", AccountName = "finance-ledger" });
        var refused = await raw.SendAsync("AWSOrganizationsV20161128.CreateAccount",
            JsonSerializer.Serialize(new { Email = "not-an-address", AccountName = "finance-ledger" }), service: "organizations");
        Assert.Equal(400, refused.Status);

        var events = (await server.EventsAsync(before)).Where(e => e.Event.EventName == "CreateAccount").ToList();
        Assert.Equal(2, events.Count);
        var (accepted, failed) = (events[0], events[1]);
        Assert.Null(accepted.Event.ErrorCode);
        var status = accepted.Event.ResponseElements!.Value.GetProperty("createAccountStatus");
        Assert.Equal(created.GetProperty("CreateAccountStatus").GetProperty("Id").GetString(), status.GetProperty("id").GetString());
        Assert.False(status.TryGetProperty("accountName", out _));
        Assert.NotNull(failed.Event.ErrorCode);
        Assert.False(string.IsNullOrEmpty(failed.Event.ErrorMessage), "the error message the client got is not in the event");
        foreach (var stored in events)
        {
            var json = Encoding.UTF8.GetString(stored.Json.Span);
            Assert.DoesNotContain("finance-team@example.com", json);
            Assert.DoesNotContain("not-an-address", json);
            Assert.DoesNotContain("finance-ledger", json);
        }
    }

    [Fact]
    public async Task An_IPv4_client_of_a_dual_stack_listener_is_recorded_by_its_IPv4_address()
    {
        await using var server = await TestServer.StartAsync(listenAddress: System.Net.IPAddress.IPv6Any);
        var before = server.Server.AuditTrail.LastSequence;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.Server.Endpoint.Port}/") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.ListKeys");
        using var response = await http.SendAsync(request);

        var recorded = Assert.Single(await server.EventsAsync(before));
        Assert.Equal("127.0.0.1", recorded.Event.SourceIPAddress);
    }

    [Fact]
    public async Task A_denial_records_the_error_and_the_deciding_layer_and_statements()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("audit-denied-" + Guid.NewGuid().ToString("N")[..8]);
        var key = (await _fixture.Kms.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = $$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Server.Server.Deployment.Account}}:root"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"NoDecryptForThatUser","Effect":"Deny","Principal":{"AWS":"{{userArn}}"},"Action":"kms:*","Resource":"*"}]}
                """,
        })).KeyMetadata;
        using var user = Server.Client(accessKeyId, secret);
        var before = Server.Server.AuditTrail.LastSequence;

        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => user.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }));

        var e = (await Server.EventOfAsync(denied.RequestId)).Event;
        Assert.Equal("AccessDeniedException", e.ErrorCode);
        Assert.Equal(denied.Message, e.ErrorMessage);
        Assert.Equal("IAMUser", e.UserIdentity.Type);
        Assert.Equal(userArn, e.UserIdentity.Arn);
        Assert.Equal(accessKeyId, e.UserIdentity.AccessKeyId);
        var authorization = e.AdditionalEventData!.Value.GetProperty("authorization");
        Assert.Equal("ExplicitlyDenied", authorization.GetProperty("decision").GetString());
        Assert.Equal("ResourcePolicy", authorization.GetProperty("layer").GetString());
        Assert.Equal("kms:DescribeKey", authorization.GetProperty("action").GetString());
        Assert.Equal("key-policy#NoDecryptForThatUser", authorization.GetProperty("statement").GetString());
        Assert.Contains(authorization.GetProperty("statements").EnumerateArray(), s => s.GetProperty("statement").GetString() == "key-policy#NoDecryptForThatUser");
        Assert.Equal(before + 1, Server.Server.AuditTrail.LastSequence);
    }

    [Fact]
    public async Task Failed_and_unauthenticated_requests_are_recorded()
    {
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => _fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/does-not-exist" }));
        var failed = (await Server.EventOfAsync(missing.RequestId)).Event;
        Assert.Equal("NotFoundException", failed.ErrorCode);
        Assert.Equal("alias/does-not-exist", failed.RequestParameters!.Value.GetProperty("keyId").GetString());

        using var raw = new RawKmsClient(Server);
        var anonymous = await raw.SendAsync("TrentService.ListKeys", "{}", sign: false);
        var requestId = anonymous.Http.Headers.GetValues("x-amzn-RequestId").Single();
        var unknown = (await Server.EventOfAsync(requestId)).Event;
        Assert.Equal("MissingAuthenticationTokenException", unknown.ErrorCode);
        Assert.Equal("Unknown", unknown.UserIdentity.Type);
        Assert.Equal("ListKeys", unknown.EventName);
        Assert.Equal(Server.Server.Deployment.Account.Value, unknown.RecipientAccountId);

        var forged = await raw.SendAsync("TrentService.ListKeys", "{}", Server.AccessKeyId, "not-the-secret");
        var badSignature = (await Server.EventOfAsync(forged.Http.Headers.GetValues("x-amzn-RequestId").Single())).Event;
        Assert.Equal("InvalidSignatureException", badSignature.ErrorCode);
        Assert.Equal(Server.AccessKeyId, badSignature.UserIdentity.AccessKeyId);
    }

    [Fact]
    public async Task Sts_and_iam_events_keep_credentials_out_and_sessions_carry_their_issuer()
    {
        using var iam = new IamQueryClient(Server);
        var name = "audit-role-" + Guid.NewGuid().ToString("N")[..8];
        var (userArn, userKey, userSecret) = await iam.CreateUserWithKeyAsync(name + "-user", IamQueryClient.Allow("sts:AssumeRole"));
        var roleArn = await iam.CreateRoleAsync(name, userArn);
        using var sts = Server.Sts(new Amazon.Runtime.BasicAWSCredentials(userKey, userSecret));
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "auditor", DurationSeconds = 900 });

        var stored = await Server.EventOfAsync(assumed.ResponseMetadata.RequestId);
        Assert.Equal(("sts.amazonaws.com", "AssumeRole"), (stored.Event.EventSource, stored.Event.EventName));
        var json = Encoding.UTF8.GetString(stored.Json.Span);
        Assert.DoesNotContain(assumed.Credentials.SecretAccessKey, json);
        Assert.DoesNotContain(assumed.Credentials.SessionToken, json);
        var response = stored.Event.ResponseElements!.Value;
        Assert.Equal(assumed.Credentials.AccessKeyId, response.GetProperty("credentials").GetProperty("accessKeyId").GetString());
        Assert.Equal(assumed.AssumedRoleUser.Arn, response.GetProperty("assumedRoleUser").GetProperty("arn").GetString());
        Assert.Equal(roleArn, stored.Event.RequestParameters!.Value.GetProperty("roleArn").GetString());
        Assert.Equal(900, stored.Event.RequestParameters!.Value.GetProperty("durationSeconds").GetInt32()); // a number, as CloudTrail writes it
        var role = Assert.Single(stored.Event.Resources!); // CloudTrail names the assumed role, and its account receives the event
        Assert.Equal((roleArn, "AWS::IAM::Role"), (role.Arn, role.Type));
        Assert.Equal(roleArn.Split(':')[4], stored.Event.RecipientAccountId);

        using var session = Server.Kms(assumed.Credentials);
        var listed = await session.ListKeysAsync(new ListKeysRequest());
        var identity = (await Server.EventOfAsync(listed.ResponseMetadata.RequestId)).Event.UserIdentity;
        Assert.Equal("AssumedRole", identity.Type);
        Assert.Equal(assumed.AssumedRoleUser.Arn, identity.Arn);
        Assert.Equal(assumed.AssumedRoleUser.AssumedRoleId, identity.PrincipalId);
        Assert.Equal(assumed.Credentials.AccessKeyId, identity.AccessKeyId);
        var issuer = identity.SessionContext!.SessionIssuer!;
        Assert.Equal(("Role", roleArn, name), (issuer.Type, issuer.Arn, issuer.UserName));
        Assert.Equal(assumed.Credentials.Expiration!.Value.ToUniversalTime(), identity.SessionContext.Attributes.ExpirationDate!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Equal(assumed.Credentials.Expiration!.Value.ToUniversalTime().AddSeconds(-900), identity.SessionContext.Attributes.CreationDate!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Equal("false", identity.SessionContext.Attributes.MfaAuthenticated);
        Assert.Null(identity.SessionContext.SourceIdentity);
        Assert.Null(identity.SessionContext.WebIdFederationData);

        var created = await iam.OkAsync("CreateAccessKey", ("UserName", (await iam.CreateUserWithKeyAsync("audit-key-" + Guid.NewGuid().ToString("N")[..8])).Arn.Split('/')[^1]));
        var secret = created.Value("SecretAccessKey")!;
        var keyEvents = await Server.EventsAsync(filter: new Keyhaven.Audit.Reading.AuditEventFilter { EventName = "CreateAccessKey" });
        Assert.All(keyEvents, k => Assert.DoesNotContain(secret, Encoding.UTF8.GetString(k.Json.Span)));
        Assert.Contains(keyEvents, k => k.Event.ResponseElements?.GetProperty("accessKey").GetProperty("accessKeyId").GetString() == created.Value("AccessKeyId"));
    }
}
