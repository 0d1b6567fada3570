using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>Organization guardrails on KMS: SCPs cap what principals of member accounts may do with their keys.</summary>
public sealed class GuardrailTests
{

    [Fact]
    public async Task An_scp_denies_key_deletion_and_policy_changes_to_everyone_in_a_member_account_but_the_security_role()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var created = await raw.OrganizationsAsync("CreateAccount", new { Email = "workloads@example.com", AccountName = "workloads" });
        var requestId = created.GetProperty("CreateAccountStatus").GetProperty("Id").GetString();
        var status = await raw.OrganizationsAsync("DescribeCreateAccountStatus", new { CreateAccountRequestId = requestId });
        var member = status.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString();
        var rootId = (await raw.OrganizationsAsync("ListRoots", new { })).GetProperty("Roots")[0].GetProperty("Id").GetString();

        // An operator of the management account reaches the member account through OrganizationAccountAccessRole.
        using var iam = new IamQueryClient(server);
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName = "ops",
        });
        using var kms = server.Kms(session.Credentials);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "workload data" })).KeyMetadata;
        Assert.Equal(member, key.AWSAccountId);

        var scp = new
        {
            Version = "2012-10-17",
            Statement = new[]
            {
                new
                {
                    Sid = "OnlySecurityDeletesKeys",
                    Effect = "Deny",
                    Action = new[] { "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy" },
                    Resource = "*",
                    Condition = new { ArnNotLike = new Dictionary<string, string> { ["aws:PrincipalArn"] = "arn:aws:iam::*:role/Security" } },
                },
            },
        };
        var policy = await raw.OrganizationsAsync("CreatePolicy", new
        {
            Name = "protect-keys", Description = "only the security role deletes keys", Type = "SERVICE_CONTROL_POLICY", Content = JsonSerializer.Serialize(scp),
        });
        var policyId = policy.GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString();
        await raw.OrganizationsAsync("AttachPolicy", new { PolicyId = policyId, TargetId = rootId });

        // AWS: an explicit deny in an SCP applies to every principal of a member account, whatever its own policies allow.
        var denied = await DeniedAsync(() => kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId }));
        Assert.Contains("explicit deny in a service control policy", denied.Message);
        await DeniedAsync(() => kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = "{}" }));
        await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) });

        // AWS: the management account is not affected by SCPs.
        using var managementKms = server.Client();
        var own = (await managementKms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await managementKms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = own.KeyId, PendingWindowInDays = 7 });

        // Detached, the guardrail no longer applies.
        await raw.OrganizationsAsync("DetachPolicy", new { PolicyId = policyId, TargetId = rootId });
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
    }

    [Fact]
    public async Task An_scp_denies_assuming_roles_to_a_member_account_and_an_rcp_protects_its_roles_but_the_management_account_is_not_limited_by_scps()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var created = await raw.OrganizationsAsync("CreateAccount", new { Email = "members@example.com", AccountName = "members" });
        var status = await raw.OrganizationsAsync("DescribeCreateAccountStatus", new { CreateAccountRequestId = created.GetProperty("CreateAccountStatus").GetProperty("Id").GetString() });
        var member = status.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString();
        var rootId = (await raw.OrganizationsAsync("ListRoots", new { })).GetProperty("Roots")[0].GetProperty("Id").GetString();
        var management = server.Server.Deployment.Account.Value;

        using var iam = new IamQueryClient(server);
        var (operatorArn, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var ownRole = await iam.CreateRoleAsync("Own", operatorArn);
        using var operatorSts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var memberAccess = $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole";
        var session = (await operatorSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = memberAccess, RoleSessionName = "ops" })).Credentials;
        using var memberIam = new IamQueryClient(server, session.AccessKeyId, session.SecretAccessKey, session.SessionToken);
        var second = await memberIam.CreateRoleAsync("Second", $"arn:aws:iam::{member}:root");
        using var memberSts = server.Sts(session);
        await memberSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "before" });

        var scp = JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = new[] { new { Effect = "Deny", Action = "sts:AssumeRole", Resource = "*" } } });
        var scpId = (await raw.OrganizationsAsync("CreatePolicy", new { Name = "no-assume", Description = "no role assumption", Type = "SERVICE_CONTROL_POLICY", Content = scp }))
            .GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString();
        await raw.OrganizationsAsync("AttachPolicy", new { PolicyId = scpId, TargetId = rootId });

        // AWS: the SCPs of the caller's account apply to AssumeRole as to any action of its principals.
        var denied = await Assert.ThrowsAnyAsync<Amazon.SecurityToken.AmazonSecurityTokenServiceException>(() =>
            memberSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "after" }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
        // The management account's principals are not limited by SCPs: into its own role and into the member account.
        await operatorSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = ownRole, RoleSessionName = "own" });
        await operatorSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = memberAccess, RoleSessionName = "ops2" });
        Assert.StartsWith($"arn:aws:iam::{management}:", ownRole);

        // AWS: RCPs apply to STS (role assumption) in member accounts: the member's roles refuse even the management account.
        var rcp = JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = new[] { new { Effect = "Deny", Principal = "*", Action = "sts:AssumeRole", Resource = "*" } } });
        var rcpId = (await raw.OrganizationsAsync("CreatePolicy", new { Name = "roles-closed", Description = "no role assumption", Type = "RESOURCE_CONTROL_POLICY", Content = rcp }))
            .GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString();
        await raw.OrganizationsAsync("AttachPolicy", new { PolicyId = rcpId, TargetId = rootId });
        var closed = await Assert.ThrowsAnyAsync<Amazon.SecurityToken.AmazonSecurityTokenServiceException>(() =>
            operatorSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = memberAccess, RoleSessionName = "ops3" }));
        Assert.Equal("AccessDenied", closed.ErrorCode);
        await operatorSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = ownRole, RoleSessionName = "own-again" }); // the management account's roles: no RCP
    }
}
