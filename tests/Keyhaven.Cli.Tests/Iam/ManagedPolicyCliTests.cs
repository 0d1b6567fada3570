using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Iam;

/// <summary>Managed policies, permissions boundaries and groups through the AWS CLI v2 against a real <c>keyhaven serve</c> process.</summary>
public sealed class ManagedPolicyCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-iam-managed-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_role_with_an_attached_policy_is_capped_by_its_permissions_boundary_and_a_group_lists_its_members()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        const string kmsAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";
        const string encryptOnly = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}]}""";

        var policy = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-policy", "--policy-name", "KmsAll", "--policy-document", kmsAll))).GetProperty("Policy");
        var policyArn = policy.GetProperty("Arn").GetString()!;
        Assert.Matches("^arn:aws:iam::[0-9]{12}:policy/KmsAll$", policyArn);
        Assert.StartsWith("ANPA", policy.GetProperty("PolicyId").GetString());
        Assert.Equal("v1", policy.GetProperty("DefaultVersionId").GetString());
        var boundaryArn = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-policy", "--policy-name", "EncryptOnly", "--path", "/boundaries/",
            "--policy-document", encryptOnly))).GetProperty("Policy").GetProperty("Arn").GetString()!;
        // The CLI URL-decodes the version's document and prints it as JSON.
        var version = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-policy-version", "--policy-arn", boundaryArn, "--version-id", "v1"))).GetProperty("PolicyVersion");
        Assert.Equal("kms:Encrypt", version.GetProperty("Document").GetProperty("Statement")[0].GetProperty("Action")[0].GetString());
        Assert.True(version.GetProperty("IsDefaultVersion").GetBoolean());

        var userArn = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "dev"))).GetProperty("User").GetProperty("Arn").GetString()!;
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "dev", "--policy-name", "assume", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"""), expectOutput: false);
        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-access-key", "--user-name", "dev"))).GetProperty("AccessKey");
        var dev = new AwsCliAs.Credentials(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);

        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{userArn}}"},"Action":"sts:AssumeRole"}]}""";
        var roleArn = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "DevApp", "--assume-role-policy-document", trust)))
            .GetProperty("Role").GetProperty("Arn").GetString()!;
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "attach-role-policy", "--role-name", "DevApp", "--policy-arn", policyArn), expectOutput: false);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-role-permissions-boundary", "--role-name", "DevApp", "--permissions-boundary", boundaryArn), expectOutput: false);
        Assert.Equal(policyArn, (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-attached-role-policies", "--role-name", "DevApp")))
            .GetProperty("AttachedPolicies")[0].GetProperty("PolicyArn").GetString());
        Assert.Equal(boundaryArn, (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-role", "--role-name", "DevApp")))
            .GetProperty("Role").GetProperty("PermissionsBoundary").GetProperty("PermissionsBoundaryArn").GetString());

        var keyId = (await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key"))).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var assumed = (await AwsCli.Ok(AwsCliAs.RunAsync(server, dev, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "cli"))).GetProperty("Credentials");
        var session = new AwsCliAs.Credentials(assumed.GetProperty("AccessKeyId").GetString()!, assumed.GetProperty("SecretAccessKey").GetString()!,
            assumed.GetProperty("SessionToken").GetString());
        var plaintext = Path.Combine(_data, "plaintext.txt");
        await File.WriteAllTextAsync(plaintext, "hello");
        var blob = (await AwsCli.Ok(AwsCliAs.RunAsync(server, session, "kms", "encrypt", "--key-id", keyId, "--plaintext", "fileb://" + plaintext)))
            .GetProperty("CiphertextBlob").GetString()!;
        var ciphertext = Path.Combine(_data, "ciphertext.bin");
        await File.WriteAllBytesAsync(ciphertext, Convert.FromBase64String(blob));
        var denied = await AwsCliAs.RunAsync(server, session, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertext);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDeniedException", denied.Stderr);
        Assert.Contains("permissions boundary", denied.Stderr);

        var group = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-group", "--group-name", "developers"))).GetProperty("Group");
        Assert.StartsWith("AGPA", group.GetProperty("GroupId").GetString());
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "add-user-to-group", "--group-name", "developers", "--user-name", "dev"), expectOutput: false);
        Assert.Equal("dev", (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-group", "--group-name", "developers")))
            .GetProperty("Users")[0].GetProperty("UserName").GetString());
        Assert.Equal("developers", (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-groups-for-user", "--user-name", "dev")))
            .GetProperty("Groups")[0].GetProperty("GroupName").GetString());
        var conflict = await AwsCli.RunAsync(server, "iam", "delete-group", "--group-name", "developers");
        Assert.Contains("DeleteConflict", conflict.Stderr);
    }


    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
