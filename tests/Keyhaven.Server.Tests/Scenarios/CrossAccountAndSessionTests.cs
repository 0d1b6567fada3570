using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>A central key used from another account, and a session policy that narrows an assumed role.</summary>
public sealed class CrossAccountAndSessionTests
{
    [Fact]
    public async Task A_key_of_the_security_account_is_used_by_an_application_role_in_another_account_only_when_both_sides_allow()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        async Task<JsonElement> Organizations(string operation, object request) =>
            (await raw.SendAsync("AWSOrganizationsV20161128." + operation, JsonSerializer.Serialize(request), service: "organizations")).Body;
        await Organizations("CreateOrganization", new { FeatureSet = "ALL" });
        var requestId = (await Organizations("CreateAccount", new { Email = "app@example.com", AccountName = "app" })).GetProperty("CreateAccountStatus").GetProperty("Id").GetString();
        var application = (await Organizations("DescribeCreateAccountStatus", new { CreateAccountRequestId = requestId }))
            .GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString();
        var applicationRole = $"arn:aws:iam::{application}:role/OrganizationAccountAccessRole";

        // The security (management) account's key: its policy lets the application account's role use it.
        using var security = server.Client();
        var securityAccount = server.Server.Deployment.Account.Value;
        var keyPolicy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{securityAccount}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"AppUse","Effect":"Allow","Principal":{"AWS":"{{applicationRole}}"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
            """;
        var key = (await security.CreateKeyAsync(new CreateKeyRequest { Policy = keyPolicy })).KeyMetadata;
        var other = (await security.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        using var iam = new IamQueryClient(server);
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("deployer",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = applicationRole, RoleSessionName = "app" });
        using var app = server.Kms(session.Credentials);

        // AWS: cross-account use names the key by ARN; the key policy and the caller's IAM policy must both allow.
        var blob = (await app.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = Bytes("order") })).CiphertextBlob;
        Assert.Equal("order", Encoding.UTF8.GetString((await app.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        await DeniedAsync(() => app.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, NumberOfBytes = 32 }));
        await DeniedAsync(() => app.EncryptAsync(new EncryptRequest { KeyId = other.Arn, Plaintext = Bytes("x") }));
        await Assert.ThrowsAsync<NotFoundException>(() => app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by id means own account") }));
    }

    [Fact]
    public async Task A_session_policy_narrows_what_an_assumed_role_may_do()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var (operatorArn, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("analyst");
        var roleArn = await iam.CreateRoleAsync("Analytics", operatorArn); // the role may do kms:*
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));

        // AWS: the session's permissions are the intersection of the role's policies and the session policy.
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = roleArn,
            RoleSessionName = "read-only",
            Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""",
        });
        using var narrowed = server.Kms(session.Credentials);
        var blob = (await root.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("report") })).CiphertextBlob;
        Assert.Equal("report", Encoding.UTF8.GetString((await narrowed.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        var denied = await DeniedAsync(() => narrowed.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        Assert.Contains("session policy", denied.Message);
    }
}
