using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>Managed policies attached to users and groups, and group inline policies, granting KMS access under the default key policy.</summary>
public sealed class GroupPolicyTests
{
    [Fact]
    public async Task A_managed_policy_attached_to_a_user_grants_KMS_access_under_the_default_key_policy()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var (_, accessKey, secret) = await iam.CreateUserWithKeyAsync("app");
        using var app = server.Kms(new BasicAWSCredentials(accessKey, secret));
        await DeniedAsync(() => app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));

        var policy = await iam.CreatePolicyAsync("KmsUse", IamQueryClient.Allow("kms:Encrypt", "kms:Decrypt"));
        await iam.OkAsync("AttachUserPolicy", ("UserName", "app"), ("PolicyArn", policy));
        var blob = (await app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("data") })).CiphertextBlob;
        Assert.Equal("data", Encoding.UTF8.GetString((await app.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        Assert.Equal(policy, (await iam.OkAsync("ListAttachedUserPolicies", ("UserName", "app"))).Value("PolicyArn"));
        Assert.Equal("1", (await iam.OkAsync("GetPolicy", ("PolicyArn", policy))).Value("AttachmentCount"));

        var conflict = await iam.SendAsync("DeletePolicy", ("PolicyArn", policy));
        Assert.Equal((409, "DeleteConflict"), (conflict.Status, conflict.ErrorCode));
        await iam.OkAsync("DetachUserPolicy", ("UserName", "app"), ("PolicyArn", policy));
        await DeniedAsync(() => app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
    }

    [Fact]
    public async Task A_groups_policies_apply_to_its_members_and_stop_when_the_user_leaves_the_group()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var (_, accessKey, secret) = await iam.CreateUserWithKeyAsync("carol");
        using var carol = server.Kms(new BasicAWSCredentials(accessKey, secret));

        await iam.OkAsync("CreateGroup", ("GroupName", "crypto-users"));
        await iam.OkAsync("PutGroupPolicy", ("GroupName", "crypto-users"), ("PolicyName", "encrypt"), ("PolicyDocument", IamQueryClient.Allow("kms:Encrypt")));
        var describe = await iam.CreatePolicyAsync("Describe", IamQueryClient.Allow("kms:DescribeKey"));
        await iam.OkAsync("AttachGroupPolicy", ("GroupName", "crypto-users"), ("PolicyArn", describe));
        await DeniedAsync(() => carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));

        await iam.OkAsync("AddUserToGroup", ("GroupName", "crypto-users"), ("UserName", "carol"));
        Assert.Equal("carol", (await iam.OkAsync("GetGroup", ("GroupName", "crypto-users"))).Value("UserName"));
        Assert.Equal("crypto-users", (await iam.OkAsync("ListGroupsForUser", ("UserName", "carol"))).Value("GroupName"));
        await carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });
        await carol.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        await DeniedAsync(() => carol.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 }));

        var busy = await iam.SendAsync("DeleteGroup", ("GroupName", "crypto-users"));
        Assert.Equal((409, "DeleteConflict"), (busy.Status, busy.ErrorCode));
        await iam.OkAsync("RemoveUserFromGroup", ("GroupName", "crypto-users"), ("UserName", "carol"));
        await DeniedAsync(() => carol.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        await DeniedAsync(() => carol.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task A_new_default_policy_version_takes_effect_at_once()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var (_, accessKey, secret) = await iam.CreateUserWithKeyAsync("dan");
        var policy = await iam.CreatePolicyAsync("Crypto", IamQueryClient.Allow("kms:Encrypt"));
        await iam.OkAsync("AttachUserPolicy", ("UserName", "dan"), ("PolicyArn", policy));
        using var dan = server.Kms(new BasicAWSCredentials(accessKey, secret));
        await dan.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });

        var v2 = await iam.OkAsync("CreatePolicyVersion", ("PolicyArn", policy), ("PolicyDocument", IamQueryClient.Allow("kms:DescribeKey")), ("SetAsDefault", "true"));
        Assert.Equal("v2", v2.Value("VersionId"));
        await DeniedAsync(() => dan.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        await dan.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        var v1 = await iam.OkAsync("GetPolicyVersion", ("PolicyArn", policy), ("VersionId", "v1"));
        Assert.Equal("false", v1.Value("IsDefaultVersion"));
        Assert.Equal(IamQueryClient.Allow("kms:Encrypt"), Uri.UnescapeDataString(v1.Value("Document")!)); // URL-encoded, as AWS returns it
        await iam.OkAsync("SetDefaultPolicyVersion", ("PolicyArn", policy), ("VersionId", "v1"));
        await dan.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok again") });

        for (var i = 3; i <= 5; i++)
        {
            await iam.OkAsync("CreatePolicyVersion", ("PolicyArn", policy), ("PolicyDocument", IamQueryClient.Allow("kms:Encrypt")));
        }

        var limit = await iam.SendAsync("CreatePolicyVersion", ("PolicyArn", policy), ("PolicyDocument", IamQueryClient.Allow("kms:Encrypt")));
        Assert.Equal((409, "LimitExceeded"), (limit.Status, limit.ErrorCode));
    }
}
