using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Iam;

/// <summary>IAM and STS through the AWS CLI v2 against a real <c>keyhaven serve</c> process.</summary>
public sealed class IamCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-iam-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_user_made_with_aws_iam_assumes_a_role_made_with_aws_iam_through_aws_sts()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);

        var user = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "alice", "--path", "/team/"))).GetProperty("User");
        var userArn = user.GetProperty("Arn").GetString()!;
        Assert.Matches("^arn:aws:iam::[0-9]{12}:user/team/alice$", userArn);
        Assert.StartsWith("AIDA", user.GetProperty("UserId").GetString());

        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-access-key", "--user-name", "alice"))).GetProperty("AccessKey");
        Assert.Equal("Active", key.GetProperty("Status").GetString());
        var alice = new AwsCliAs.Credentials(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);

        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""";
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "assume", "--policy-document", policy), expectOutput: false);
        var stored = await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-user-policy", "--user-name", "alice", "--policy-name", "assume"));
        Assert.Equal("assume", stored.GetProperty("PolicyName").GetString());
        // The CLI URL-decodes the document IAM returns and prints it as JSON.
        Assert.Equal("sts:AssumeRole", stored.GetProperty("PolicyDocument").GetProperty("Statement")[0].GetProperty("Action").GetString());
        Assert.Equal(["assume"], (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-user-policies", "--user-name", "alice")))
            .GetProperty("PolicyNames").EnumerateArray().Select(e => e.GetString()));

        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{userArn}}"},"Action":"sts:AssumeRole"}]}""";
        var role = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "app", "--assume-role-policy-document", trust,
            "--max-session-duration", "7200"))).GetProperty("Role");
        var roleArn = role.GetProperty("Arn").GetString()!;
        Assert.StartsWith("AROA", role.GetProperty("RoleId").GetString());
        var got = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-role", "--role-name", "app"))).GetProperty("Role");
        Assert.Equal(userArn, got.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0].GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal(7200, got.GetProperty("MaxSessionDuration").GetInt32());
        Assert.Contains("alice", (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-users"))).GetProperty("Users").EnumerateArray()
            .Select(u => u.GetProperty("UserName").GetString()));

        var me = await AwsCli.Ok(AwsCliAs.RunAsync(server, alice, "sts", "get-caller-identity"));
        Assert.Equal(userArn, me.GetProperty("Arn").GetString());

        var assumed = await AwsCli.Ok(AwsCliAs.RunAsync(server, alice, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "cli-session"));
        var credentials = assumed.GetProperty("Credentials");
        Assert.StartsWith("ASIA", credentials.GetProperty("AccessKeyId").GetString());
        var session = new AwsCliAs.Credentials(credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!,
            credentials.GetProperty("SessionToken").GetString());
        var asRole = await AwsCli.Ok(AwsCliAs.RunAsync(server, session, "sts", "get-caller-identity"));
        Assert.EndsWith(":assumed-role/app/cli-session", asRole.GetProperty("Arn").GetString());
        Assert.EndsWith(":cli-session", asRole.GetProperty("UserId").GetString());

        // Alice has no IAM permission: her IAM calls are denied.
        var denied = await AwsCliAs.RunAsync(server, alice, "iam", "list-users");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDenied", denied.Stderr);
    }

    [Fact]
    public async Task IAM_errors_reach_the_CLI_with_AWS_codes()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        var missing = await AwsCli.RunAsync(server, "iam", "get-user", "--user-name", "nobody");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NoSuchEntity", missing.Stderr);

        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "bob"));
        var duplicate = await AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "bob");
        Assert.Contains("EntityAlreadyExists", duplicate.Stderr);

        var malformed = await AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "p", "--policy-document", "{\"Statement\":1}");
        Assert.Contains("MalformedPolicyDocument", malformed.Stderr);

        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-access-key", "--user-name", "bob"))).GetProperty("AccessKey").GetProperty("AccessKeyId").GetString()!;
        var conflict = await AwsCli.RunAsync(server, "iam", "delete-user", "--user-name", "bob");
        Assert.Contains("DeleteConflict", conflict.Stderr);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "update-access-key", "--user-name", "bob", "--access-key-id", key, "--status", "Inactive"), expectOutput: false);
        Assert.Equal("Inactive", (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-access-keys", "--user-name", "bob")))
            .GetProperty("AccessKeyMetadata")[0].GetProperty("Status").GetString());
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "delete-access-key", "--user-name", "bob", "--access-key-id", key), expectOutput: false);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "delete-user", "--user-name", "bob"), expectOutput: false);
    }


    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
