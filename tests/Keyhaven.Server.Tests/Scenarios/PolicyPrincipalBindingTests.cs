using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using AssumeRoleRequest = Amazon.SecurityToken.Model.AssumeRoleRequest;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// A user or role ARN in a key policy or trust policy stands for the principal that existed when the policy was saved
/// (its unique id), as in AWS: deleting it and creating another with the same name does not hand the new one its access.
/// </summary>
// spec: IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles ("If someone deletes and recreates
// the role, the role has a new principal ID ... the policy no longer matches"); the same holds for IAM users.
public sealed class PolicyPrincipalBindingTests
{
    private static string Policy(params string[] statements) => "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}";

    private static string AllowRoot(string account) =>
        $$"""{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"kms:*","Resource":"*"}""";

    private static async Task DeleteUserAsync(IamQueryClient iam, string name, string accessKeyId)
    {
        await iam.OkAsync("DeleteAccessKey", ("UserName", name), ("AccessKeyId", accessKeyId));
        await iam.OkAsync("DeleteUser", ("UserName", name));
    }

    [Fact]
    public async Task A_user_named_in_a_key_policy_and_then_deleted_and_re_created_no_longer_has_the_keys_access()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        using var iam = new IamQueryClient(server);
        var account = server.Server.Deployment.Account.Value;
        var (carolArn, carolKey, carolSecret) = await iam.CreateUserWithKeyAsync("carol");
        var carolId = (await iam.OkAsync("GetUser", ("UserName", "carol"))).Value("UserId")!;
        var policy = Policy(AllowRoot(account), $$"""{"Sid":"Carol","Effect":"Allow","Principal":{"AWS":"{{carolArn}}"},"Action":"kms:Encrypt","Resource":"*"}""");
        var key = (await root.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;

        using (var carol = server.Client(carolKey, carolSecret))
        {
            await carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by the first carol") });
        }

        // While carol exists, GetKeyPolicy returns the policy as it was put.
        Assert.Equal(policy, (await root.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);

        await DeleteUserAsync(iam, "carol", carolKey);
        var (sameArn, newKey, newSecret) = await iam.CreateUserWithKeyAsync("carol");
        Assert.Equal(carolArn, sameArn);
        using var newCarol = server.Client(newKey, newSecret);
        await DeniedAsync(() => newCarol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by someone else named carol") }));

        // AWS KMS shows a principal that is gone by its unique id (AIDA…) in place of its ARN.
        var shown = (await root.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy;
        Assert.Contains($"\"{carolId}\"", shown);
        Assert.DoesNotContain(carolArn, shown);

        // The binding is stored with the key: it holds after a restart.
        await server.RestartAsync();
        using var rootAgain = server.Client();
        using var newCarolAgain = server.Client(newKey, newSecret);
        await DeniedAsync(() => newCarolAgain.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("after a restart") }));

        // Putting the policy again binds the ARN to the carol that exists now.
        await rootAgain.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy });
        await newCarolAgain.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by the new carol, named again") });
        Assert.Equal(policy, (await rootAgain.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);
    }

    [Fact]
    public async Task A_role_named_in_a_key_policy_and_then_re_created_no_longer_matches_sessions_of_the_new_role()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        using var iam = new IamQueryClient(server);
        var account = server.Server.Deployment.Account.Value;
        var (operatorArn, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator", IamQueryClient.Allow("sts:AssumeRole"));
        var roleArn = await iam.CreateRoleAsync("App", operatorArn);
        var key = (await root.CreateKeyAsync(new CreateKeyRequest
        {
            // The account (and so IAM policies, which give the role kms:*) may only administer the key: Encrypt comes from the role's statement.
            Policy = Policy(
                $$"""{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":["kms:PutKeyPolicy","kms:GetKeyPolicy","kms:DescribeKey"],"Resource":"*"}""",
                $$"""{"Effect":"Allow","Principal":{"AWS":"{{roleArn}}"},"Action":"kms:Encrypt","Resource":"*"}"""),
        })).KeyMetadata;
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));

        var first = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "first" });
        using (var app = server.Kms(first.Credentials))
        {
            await app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by the first role") });
        }

        await iam.OkAsync("DeleteRolePolicy", ("RoleName", "App"), ("PolicyName", "kms"));
        await iam.OkAsync("DeleteRole", ("RoleName", "App"));
        Assert.Equal(roleArn, await iam.CreateRoleAsync("App", operatorArn));
        var second = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "second" });
        using var impostor = server.Kms(second.Credentials);
        await DeniedAsync(() => impostor.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by the new role") }));
    }

    [Fact]
    public async Task A_role_trusting_a_user_does_not_trust_another_user_created_later_with_the_same_name()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var assume = IamQueryClient.Allow("sts:AssumeRole");
        var (daveArn, daveKey, daveSecret) = await iam.CreateUserWithKeyAsync("dave", assume);
        var daveId = (await iam.OkAsync("GetUser", ("UserName", "dave"))).Value("UserId")!;
        var roleArn = await iam.CreateRoleAsync("Reports", daveArn);
        using (var sts = server.Sts(new BasicAWSCredentials(daveKey, daveSecret)))
        {
            await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "dave" });
        }

        Assert.Contains(daveArn, Uri.UnescapeDataString((await iam.OkAsync("GetRole", ("RoleName", "Reports"))).Value("AssumeRolePolicyDocument")!));
        await iam.OkAsync("DeleteUserPolicy", ("UserName", "dave"), ("PolicyName", "inline"));
        await DeleteUserAsync(iam, "dave", daveKey);
        var (_, newKey, newSecret) = await iam.CreateUserWithKeyAsync("dave", assume);
        using var newSts = server.Sts(new BasicAWSCredentials(newKey, newSecret));
        var denied = await Assert.ThrowsAsync<Amazon.SecurityToken.AmazonSecurityTokenServiceException>(() =>
            newSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "impostor" }));
        Assert.Equal("AccessDenied", denied.ErrorCode);

        // IAM shows the principal that is gone by its unique id.
        var trust = Uri.UnescapeDataString((await iam.OkAsync("GetRole", ("RoleName", "Reports"))).Value("AssumeRolePolicyDocument")!);
        Assert.Contains(daveId, trust);
        Assert.DoesNotContain(daveArn, trust);
    }

    [Fact]
    public async Task A_key_policy_naming_a_user_or_role_that_does_not_exist_in_a_known_account_is_refused_and_external_principals_are_accepted()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var account = server.Server.Deployment.Account.Value;
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        // AWS KMS: "Policy contains a statement with one or more invalid principals."
        foreach (var missing in new[] { $"arn:aws:iam::{account}:user/nobody", $"arn:aws:iam::{account}:role/NoSuchRole" })
        {
            var policy = Policy(AllowRoot(account), $$"""{"Effect":"Allow","Principal":{"AWS":"{{missing}}"},"Action":"kms:Decrypt","Resource":"*"}""");
            var refused = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
                root.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
            Assert.Equal("Policy contains a statement with one or more invalid principals.", refused.Message);
            await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => root.CreateKeyAsync(new CreateKeyRequest { Policy = policy }));
        }

        // A user's ARN with the wrong path names no user either.
        using var iam = new IamQueryClient(server);
        await iam.OkAsync("CreateUser", ("UserName", "erin"), ("Path", "/team/"));
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => root.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId,
            Policy = Policy(AllowRoot(account), $$"""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:user/erin"},"Action":"kms:Decrypt","Resource":"*"}"""),
        }));

        // Account roots, account ids and principals of accounts this deployment does not know are accepted unchanged.
        var external = Policy(AllowRoot(account),
            """{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666","arn:aws:iam::111122223333:user/someone"]},"Action":"kms:Decrypt","Resource":"*"}""",
            $$"""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:user/team/erin"},"Action":"kms:Decrypt","Resource":"*"}""");
        await root.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = external });
        Assert.Equal(external, (await root.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);
    }

    [Fact]
    public async Task Principals_of_the_organizations_other_accounts_are_known_too()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        async Task<System.Text.Json.JsonElement> Organizations(string operation, object request) =>
            (await raw.SendAsync("AWSOrganizationsV20161128." + operation, System.Text.Json.JsonSerializer.Serialize(request), service: "organizations")).Body;
        await Organizations("CreateOrganization", new { FeatureSet = "ALL" });
        var requestId = (await Organizations("CreateAccount", new { Email = "app@example.com", AccountName = "app" })).GetProperty("CreateAccountStatus").GetProperty("Id").GetString();
        var member = (await Organizations("DescribeCreateAccountStatus", new { CreateAccountRequestId = requestId }))
            .GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString();
        using var root = server.Client();
        var account = server.Server.Deployment.Account.Value;
        string UseBy(string principal) =>
            Policy(AllowRoot(account), $$"""{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"kms:Decrypt","Resource":"*"}""");

        // The member account's role that CreateAccount made exists; a role it does not have is refused.
        await root.CreateKeyAsync(new CreateKeyRequest { Policy = UseBy($"arn:aws:iam::{member}:role/OrganizationAccountAccessRole") });
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => root.CreateKeyAsync(new CreateKeyRequest { Policy = UseBy($"arn:aws:iam::{member}:role/NoSuchRole") }));
    }

    [Fact]
    public async Task A_trust_policy_naming_a_user_that_does_not_exist_is_refused_as_IAM_refuses_it()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var account = server.Server.Deployment.Account.Value;
        string Trust(string principal) =>
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"sts:AssumeRole"}]}""";

        var refused = await iam.SendAsync("CreateRole", ("RoleName", "Ghostly"), ("AssumeRolePolicyDocument", Trust($"arn:aws:iam::{account}:user/ghost")));
        Assert.Equal(400, refused.Status);
        Assert.Equal("MalformedPolicyDocument", refused.ErrorCode);
        Assert.Contains("Invalid principal in policy", refused.Value("Message"));

        await iam.OkAsync("CreateRole", ("RoleName", "Partner"), ("AssumeRolePolicyDocument", Trust("arn:aws:iam::111122223333:root")));
        var update = await iam.SendAsync("UpdateAssumeRolePolicy", ("RoleName", "Partner"), ("PolicyDocument", Trust($"arn:aws:iam::{account}:role/NoSuchRole")));
        Assert.Equal("MalformedPolicyDocument", update.ErrorCode);
    }
}
