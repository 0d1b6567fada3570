using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Iam;

/// <summary>
/// IAM tags (tag-user, tag-role and their list/untag calls), resource ARNs with paths and tag condition keys in IAM
/// authorization, and get-account-authorization-details, through the AWS CLI v2 against a real <c>keyhaven serve</c>.
/// </summary>
public sealed class IamTagsAndDetailsCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-iamtags-" + Guid.NewGuid().ToString("N"));


    private static Dictionary<string, string> Tags(JsonElement list) =>
        list.EnumerateArray().ToDictionary(t => t.GetProperty("Key").GetString()!, t => t.GetProperty("Value").GetString()!);

    [Fact]
    public async Task Users_and_roles_are_tagged_untagged_and_listed()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "dana", "--tags", "Key=team,Value=payments"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "tag-user", "--user-name", "dana", "--tags", "Key=Team,Value=risk", "Key=level,Value=senior"), expectOutput: false);
        Assert.Equal(new Dictionary<string, string> { ["Team"] = "risk", ["level"] = "senior" },
            Tags((await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-user-tags", "--user-name", "dana"))).GetProperty("Tags")));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "untag-user", "--user-name", "dana", "--tag-keys", "LEVEL"), expectOutput: false);
        Assert.Equal(["Team"], Tags((await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-user-tags", "--user-name", "dana"))).GetProperty("Tags")).Keys);

        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}""";
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "batch", "--assume-role-policy-document", trust));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "tag-role", "--role-name", "batch", "--tags", "Key=cost-center,Value=42"), expectOutput: false);
        Assert.Equal("42", Tags((await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-role-tags", "--role-name", "batch"))).GetProperty("Tags"))["cost-center"]);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "untag-role", "--role-name", "batch", "--tag-keys", "cost-center"), expectOutput: false);
        Assert.Equal(0, (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "list-role-tags", "--role-name", "batch"))).GetProperty("Tags").GetArrayLength());

        var missing = await AwsCli.RunAsync(server, "iam", "tag-user", "--user-name", "nobody", "--tags", "Key=a,Value=b");
        Assert.Contains("NoSuchEntity", missing.Stderr);
    }

    [Fact]
    public async Task IAM_authorization_matches_resource_paths_and_tag_conditions()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        // The delegated admin may manage users under /eng/ only, and only create them tagged with its own team.
        const string delegated = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["iam:GetUser","iam:TagUser","iam:ListUserTags"],"Resource":"arn:aws:iam::*:user/eng/*"},
              {"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::*:user/eng/*",
               "Condition":{"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team}"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
              {"Effect":"Deny","Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/protected":"true"}}}]}
            """;
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "lead", "--tags", "Key=team,Value=search"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "lead", "--policy-name", "delegated", "--policy-document", delegated), expectOutput: false);
        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-access-key", "--user-name", "lead"))).GetProperty("AccessKey");
        var lead = new AwsCliAs.Credentials(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "ann", "--path", "/eng/"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "ops", "--path", "/ops/"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "vault", "--path", "/eng/", "--tags", "Key=protected,Value=true"));

        Assert.Equal("ann", (await AwsCli.Ok(AwsCliAs.RunAsync(server, lead, "iam", "get-user", "--user-name", "ann"))).GetProperty("User").GetProperty("UserName").GetString());
        Assert.Contains("AccessDenied", (await AwsCliAs.RunAsync(server, lead, "iam", "get-user", "--user-name", "ops")).Stderr);
        await AwsCli.Ok(AwsCliAs.RunAsync(server, lead, "iam", "tag-user", "--user-name", "ann", "--tags", "Key=x,Value=y"), expectOutput: false);
        Assert.Contains("AccessDenied", (await AwsCliAs.RunAsync(server, lead, "iam", "tag-user", "--user-name", "vault", "--tags", "Key=x,Value=y")).Stderr);

        await AwsCli.Ok(AwsCliAs.RunAsync(server, lead, "iam", "create-user", "--user-name", "new-hire", "--path", "/eng/", "--tags", "Key=team,Value=search"));
        Assert.Contains("AccessDenied", (await AwsCliAs.RunAsync(server, lead, "iam", "create-user", "--user-name", "other-team", "--path", "/eng/", "--tags", "Key=team,Value=ads")).Stderr);
        Assert.Contains("AccessDenied", (await AwsCliAs.RunAsync(server, lead, "iam", "create-user", "--user-name", "untagged", "--path", "/eng/")).Stderr);
        Assert.Contains("AccessDenied", (await AwsCliAs.RunAsync(server, lead, "iam", "create-user", "--user-name", "elsewhere", "--path", "/ops/", "--tags", "Key=team,Value=search")).Stderr);
    }

    [Fact]
    public async Task Account_authorization_details_list_every_identity_with_its_policies()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);
        const string allowKms = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}""";
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "erin", "--path", "/apps/"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "erin", "--policy-name", "encrypt", "--policy-document", allowKms), expectOutput: false);
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-group", "--group-name", "auditors"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "add-user-to-group", "--group-name", "auditors", "--user-name", "erin"), expectOutput: false);
        var policyArn = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-policy", "--policy-name", "kms-encrypt", "--policy-document", allowKms)))
            .GetProperty("Policy").GetProperty("Arn").GetString()!;
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-role", "--role-name", "worker", "--assume-role-policy-document", trust));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "attach-role-policy", "--role-name", "worker", "--policy-arn", policyArn), expectOutput: false);

        var details = await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-account-authorization-details"));
        var erin = details.GetProperty("UserDetailList").EnumerateArray().Single(u => u.GetProperty("UserName").GetString() == "erin");
        Assert.Equal("/apps/", erin.GetProperty("Path").GetString());
        Assert.Equal("encrypt", erin.GetProperty("UserPolicyList")[0].GetProperty("PolicyName").GetString());
        Assert.Equal("kms:Encrypt", erin.GetProperty("UserPolicyList")[0].GetProperty("PolicyDocument").GetProperty("Statement")[0].GetProperty("Action").GetString());
        Assert.Equal(["auditors"], erin.GetProperty("GroupList").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("auditors", details.GetProperty("GroupDetailList")[0].GetProperty("GroupName").GetString());
        var worker = details.GetProperty("RoleDetailList").EnumerateArray().Single(r => r.GetProperty("RoleName").GetString() == "worker");
        Assert.Equal(policyArn, worker.GetProperty("AttachedManagedPolicies")[0].GetProperty("PolicyArn").GetString());
        var policy = details.GetProperty("Policies").EnumerateArray().Single(p => p.GetProperty("Arn").GetString() == policyArn);
        Assert.True(policy.GetProperty("PolicyVersionList")[0].GetProperty("IsDefaultVersion").GetBoolean());

        var rolesOnly = await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "get-account-authorization-details", "--filter", "Role"));
        Assert.Equal(0, rolesOnly.GetProperty("UserDetailList").GetArrayLength());
        Assert.Single(rolesOnly.GetProperty("RoleDetailList").EnumerateArray());
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
