using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// Situations users face, end to end through AWS SDK clients with real credentials: roles assumed with STS, keys
/// whose policies separate who administers a key from who uses it, and IAM policies that KMS honours only when the
/// key policy delegates to the account.
/// </summary>
public sealed class SeparationOfDutiesTests
{
    private static async Task<AmazonKeyManagementServiceClient> AssumeAsync(TestServer server, Amazon.Runtime.AWSCredentials caller, string roleArn, string session)
    {
        using var sts = server.Sts(caller);
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = session });
        return server.Kms(assumed.Credentials);
    }

    [Fact]
    public async Task Key_administrators_manage_a_key_they_cannot_use_and_key_users_use_a_key_they_cannot_manage()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        // AWS: the account root cannot assume roles; people come in as IAM users and assume the role they need.
        var (operatorArn, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator");
        var operatorCredentials = new Amazon.Runtime.BasicAWSCredentials(operatorKey, operatorSecret);
        var adminRole = await iam.CreateRoleAsync("KeyAdmin", operatorArn);
        var userRole = await iam.CreateRoleAsync("KeyUser", operatorArn);
        using var admin = await AssumeAsync(server, operatorCredentials, adminRole, "alice");
        using var user = await AssumeAsync(server, operatorCredentials, userRole, "bob");

        // AWS KMS key policy with separate statements for key administrators and key users, and no delegation to IAM.
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"KeyAdministrators","Effect":"Allow","Principal":{"AWS":"{{adminRole}}"},
               "Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*",
                         "kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],
               "Resource":"*"},
              {"Sid":"KeyUsers","Effect":"Allow","Principal":{"AWS":"{{userRole}}"},
               "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}]}
            """;
        var key = (await admin.CreateKeyAsync(new CreateKeyRequest { Policy = policy, Description = "payments" })).KeyMetadata;

        // The user encrypts and decrypts, but cannot change or delete the key.
        var blob = (await user.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("card") })).CiphertextBlob;
        Assert.Equal("card", Encoding.UTF8.GetString((await user.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray()));
        await DeniedAsync(() => user.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
        await DeniedAsync(() => user.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId }));
        await DeniedAsync(() => user.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }));

        // The administrator manages the key, but cannot use it, although its IAM policy allows kms:* (the key policy
        // does not delegate to IAM).
        await admin.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "payments (PCI)" });
        await admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy });
        var denied = await DeniedAsync(() => admin.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        Assert.Contains("assumed-role/KeyAdmin/alice", denied.Message);
        await DeniedAsync(() => admin.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));

        // Not even the account root may use or manage a key whose policy does not name it.
        using var rootKms = server.Client();
        await DeniedAsync(() => rootKms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        await DeniedAsync(() => rootKms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task With_the_default_key_policy_an_iam_policy_grants_exactly_what_it_says()
    {
        await using var server = await TestServer.StartAsync();
        using var rootKms = server.Client();
        var key = (await rootKms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var encryptOnly = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"{{key.Arn}}"}]}""";
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("producer", encryptOnly);
        using var producer = server.Kms(new Amazon.Runtime.BasicAWSCredentials(accessKeyId, secret));

        // AWS KMS: the default key policy allows the account, so IAM policies decide; this one allows only Encrypt.
        var blob = (await producer.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("event") })).CiphertextBlob;
        var denied = await DeniedAsync(() => producer.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        Assert.Contains($"User: {userArn} is not authorized to perform: kms:Decrypt", denied.Message);
        Assert.Contains("no identity-based policy allows", denied.Message);
        await DeniedAsync(() => producer.CreateKeyAsync(new CreateKeyRequest()));

        var other = (await rootKms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await DeniedAsync(() => producer.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("elsewhere") }));
    }
}
