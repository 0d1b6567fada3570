using System.Text.Json;
using Keyhaven.Cli.Tests.Iam;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Organizations;

/// <summary>AWS Organizations through the AWS CLI v2 against a real <c>keyhaven serve</c> process.</summary>
public sealed class OrganizationsCliTests : IDisposable
{
    private const string Scp = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"security"}}}]}""";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-org-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_management_root_builds_an_organization_and_an_administrator_reaches_the_new_account_through_its_access_role()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);

        var organization = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "create-organization", "--feature-set", "ALL"))).GetProperty("Organization");
        var orgId = organization.GetProperty("Id").GetString()!;
        var management = organization.GetProperty("MasterAccountId").GetString()!;
        Assert.Matches("^o-[a-z0-9]{10}$", orgId);
        Assert.Equal("ALL", organization.GetProperty("FeatureSet").GetString());
        Assert.Equal(orgId, (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "describe-organization"))).GetProperty("Organization").GetProperty("Id").GetString());
        var again = await AwsCli.RunAsync(server, "organizations", "create-organization");
        Assert.Contains("AlreadyInOrganizationException", again.Stderr);

        var root = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "list-roots"))).GetProperty("Roots")[0];
        var rootId = root.GetProperty("Id").GetString()!;
        Assert.Equal(["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"], root.GetProperty("PolicyTypes").EnumerateArray().Select(t => t.GetProperty("Type").GetString()));

        var status = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "create-account", "--email", "dev@example.com", "--account-name", "dev")))
            .GetProperty("CreateAccountStatus");
        Assert.Equal("SUCCEEDED", status.GetProperty("State").GetString());
        var account = status.GetProperty("AccountId").GetString()!;
        var described = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "describe-create-account-status", "--create-account-request-id",
            status.GetProperty("Id").GetString()!))).GetProperty("CreateAccountStatus");
        Assert.Equal(account, described.GetProperty("AccountId").GetString());
        Assert.Equal([management, account], (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "list-accounts", "--page-size", "1"))).GetProperty("Accounts").EnumerateArray()
            .Select(a => a.GetProperty("Id").GetString())); // two pages, joined by the CLI through NextToken

        var ou = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "create-organizational-unit", "--parent-id", rootId, "--name", "prod")))
            .GetProperty("OrganizationalUnit").GetProperty("Id").GetString()!;
        Assert.Matches($"^ou-{rootId[2..]}-[a-z0-9]{{8}}$", ou);
        await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "move-account", "--account-id", account, "--source-parent-id", rootId, "--destination-parent-id", ou), expectOutput: false);

        Assert.Equal(ou, (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "list-parents", "--child-id", account))).GetProperty("Parents")[0].GetProperty("Id").GetString());

        var policy = (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "create-policy", "--name", "no-deletion", "--description", "only security deletes keys",
            "--type", "SERVICE_CONTROL_POLICY", "--content", Scp))).GetProperty("Policy");
        var policyId = policy.GetProperty("PolicySummary").GetProperty("Id").GetString()!;
        Assert.Equal(Scp, policy.GetProperty("Content").GetString());
        await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "attach-policy", "--policy-id", policyId, "--target-id", ou), expectOutput: false);
        Assert.Contains("InvalidInputException", (await AwsCli.RunAsync(server, "organizations", "describe-policy", "--policy-id", "p-bad")).Stderr);
        Assert.Contains("DuplicatePolicyAttachmentException", (await AwsCli.RunAsync(server, "organizations", "attach-policy", "--policy-id", policyId, "--target-id", ou)).Stderr);
        Assert.Equal(["p-FullAWSAccess", policyId], (await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "list-policies-for-target", "--target-id", ou,
            "--filter", "SERVICE_CONTROL_POLICY"))).GetProperty("Policies").EnumerateArray().Select(p => p.GetProperty("Id").GetString()));
        await AwsCli.Ok(AwsCli.RunAsync(server, "organizations", "detach-policy", "--policy-id", policyId, "--target-id", ou), expectOutput: false);
        Assert.Contains("ConstraintViolationException",
            (await AwsCli.RunAsync(server, "organizations", "detach-policy", "--policy-id", "p-FullAWSAccess", "--target-id", ou)).Stderr);

        // An IAM user of the management account, allowed sts:AssumeRole, reaches the member account.
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-user", "--user-name", "admin"));
        await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "put-user-policy", "--user-name", "admin", "--policy-name", "assume", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"""), expectOutput: false);
        var key = (await AwsCli.Ok(AwsCli.RunAsync(server, "iam", "create-access-key", "--user-name", "admin"))).GetProperty("AccessKey");
        var admin = new AwsCliAs.Credentials(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        Assert.Contains("AccessDeniedException", (await AwsCliAs.RunAsync(server, admin, "organizations", "list-accounts")).Stderr);

        var assumed = (await AwsCli.Ok(AwsCliAs.RunAsync(server, admin, "sts", "assume-role", "--role-arn", $"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            "--role-session-name", "ops"))).GetProperty("Credentials");
        var session = new AwsCliAs.Credentials(assumed.GetProperty("AccessKeyId").GetString()!, assumed.GetProperty("SecretAccessKey").GetString()!,
            assumed.GetProperty("SessionToken").GetString());
        var identity = await AwsCli.Ok(AwsCliAs.RunAsync(server, session, "sts", "get-caller-identity"));
        Assert.Equal(account, identity.GetProperty("Account").GetString());
        Assert.Equal($"arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/ops", identity.GetProperty("Arn").GetString());
    }


    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
