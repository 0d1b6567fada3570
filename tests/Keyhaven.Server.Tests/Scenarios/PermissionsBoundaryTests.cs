using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>Permissions boundaries (managed policies) cap what a user's or role's own policies allow on KMS.</summary>
public sealed class PermissionsBoundaryTests
{
    [Fact]
    public async Task A_permissions_boundary_caps_a_developers_role()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata; // default key policy: IAM policies decide
        var blob = (await root.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("secret") })).CiphertextBlob;

        using var iam = new IamQueryClient(server);
        var boundary = await iam.CreatePolicyAsync("DeveloperBoundary", IamQueryClient.Allow("kms:Encrypt", "kms:DescribeKey"), "/boundaries/");
        var (developerArn, developerKey, developerSecret) = await iam.CreateUserWithKeyAsync("developer", IamQueryClient.Allow("sts:AssumeRole"));
        await iam.CreateRoleAsync("DevApp", developerArn); // kms:* inline
        await iam.OkAsync("PutRolePermissionsBoundary", ("RoleName", "DevApp"), ("PermissionsBoundary", boundary));
        Assert.Equal(boundary, (await iam.OkAsync("GetRole", ("RoleName", "DevApp"))).Value("PermissionsBoundaryArn"));

        // AWS: effective permissions are the intersection of the identity policies and the boundary.
        using var sts = server.Sts(new BasicAWSCredentials(developerKey, developerSecret));
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{server.Server.Deployment.Account.Value}:role/DevApp", RoleSessionName = "dev" });
        using var app = server.Kms(session.Credentials);
        await app.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });
        await app.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        var denied = await DeniedAsync(() => app.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        Assert.Contains("permissions boundary", denied.Message);
        Assert.Contains("kms:Decrypt", denied.Message);

        // A user with kms:* is capped the same way; removing the boundary restores its own policy.
        var (_, userKey, userSecret) = await iam.CreateUserWithKeyAsync("dev2", IamQueryClient.Allow("kms:*"));
        await iam.OkAsync("PutUserPermissionsBoundary", ("UserName", "dev2"), ("PermissionsBoundary", boundary));
        using var dev2 = server.Kms(new BasicAWSCredentials(userKey, userSecret));
        await dev2.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });
        Assert.Contains("permissions boundary", (await DeniedAsync(() => dev2.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }))).Message);
        await iam.OkAsync("DeleteUserPermissionsBoundary", ("UserName", "dev2"));
        await dev2.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
    }

    [Fact]
    public async Task A_boundary_whose_policy_was_deleted_denies_everything_until_it_is_removed()
    {
        await using var server = await TestServer.StartAsync();
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var iam = new IamQueryClient(server);
        var boundary = await iam.CreatePolicyAsync("Boundary", IamQueryClient.Allow("kms:*"));
        var (_, userKey, userSecret) = await iam.CreateUserWithKeyAsync("ops", IamQueryClient.Allow("kms:*"));
        await iam.OkAsync("PutUserPermissionsBoundary", ("UserName", "ops"), ("PermissionsBoundary", boundary));
        using var ops = server.Kms(new BasicAWSCredentials(userKey, userSecret));
        await ops.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });

        await iam.OkAsync("DeletePolicy", ("PolicyArn", boundary)); // a boundary is not an attachment: IAM lets it go
        await DeniedAsync(() => ops.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") })); // fail closed

        await iam.OkAsync("DeleteUserPermissionsBoundary", ("UserName", "ops"));
        await ops.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("ok") });

        var missing = await iam.SendAsync("PutUserPermissionsBoundary", ("UserName", "ops"), ("PermissionsBoundary", boundary));
        Assert.Equal((404, "NoSuchEntity"), (missing.Status, missing.ErrorCode));
        var invalid = await iam.SendAsync("PutUserPermissionsBoundary", ("UserName", "ops"), ("PermissionsBoundary", "arn:aws:iam::123:policy"));
        Assert.Equal((400, "InvalidInput"), (invalid.Status, invalid.ErrorCode));
    }
}
