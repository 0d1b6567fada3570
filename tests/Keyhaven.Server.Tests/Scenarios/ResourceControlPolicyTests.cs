using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// A resource control policy keeps an organization's keys inside the organization: a key shared with another account
/// by its key policy stays usable by that account while it is a member, and is refused once it leaves.
/// </summary>
public sealed class ResourceControlPolicyTests
{

    private static async Task<string> CreateAccountAsync(RawKmsClient raw, string name)
    {
        var created = await raw.OrganizationsAsync("CreateAccount", new { Email = name + "@example.com", AccountName = name });
        var requestId = created.GetProperty("CreateAccountStatus").GetProperty("Id").GetString();
        var status = await raw.OrganizationsAsync("DescribeCreateAccountStatus", new { CreateAccountRequestId = requestId });
        return status.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString()!;
    }

    [Fact]
    public async Task An_rcp_denies_key_use_by_principals_outside_the_organization()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        var orgId = (await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" })).GetProperty("Organization").GetProperty("Id").GetString();
        var security = await CreateAccountAsync(raw, "security");
        var partner = await CreateAccountAsync(raw, "partner");
        var rootId = (await raw.OrganizationsAsync("ListRoots", new { })).GetProperty("Roots")[0].GetProperty("Id").GetString();

        using var iam = new IamQueryClient(server);
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator", IamQueryClient.Allow("sts:AssumeRole"));
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        async Task<Credentials> AdminOfAsync(string account) => (await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName = "admin-" + account,
        })).Credentials;

        // The security account's key is shared with the partner account by its key policy.
        using var securityKms = server.Kms(await AdminOfAsync(security));
        var keyPolicy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Sid = "Owner", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{security}:root" }, Action = "kms:*", Resource = "*" },
                new { Sid = "Partner", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{partner}:root" }, Action = new[] { "kms:Encrypt", "kms:Decrypt" }, Resource = "*" },
            },
        });
        var key = (await securityKms.CreateKeyAsync(new CreateKeyRequest { Policy = keyPolicy })).KeyMetadata;
        using var partnerKms = server.Kms(await AdminOfAsync(partner));
        var sealedByPartner = await partnerKms.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = Bytes("shared") });

        var rcp = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new[]
            {
                new
                {
                    Sid = "KeysStayInTheOrganization", Effect = "Deny", Principal = "*", Action = "kms:*", Resource = "*",
                    Condition = new Dictionary<string, object>
                    {
                        ["StringNotEqualsIfExists"] = new Dictionary<string, string> { ["aws:PrincipalOrgID"] = orgId! },
                        ["BoolIfExists"] = new Dictionary<string, string> { ["aws:PrincipalIsAWSService"] = "false" },
                    },
                },
            },
        });
        var policy = await raw.OrganizationsAsync("CreatePolicy", new { Name = "org-only-keys", Description = "keys stay in the org", Type = "RESOURCE_CONTROL_POLICY", Content = rcp });
        await raw.OrganizationsAsync("AttachPolicy", new { PolicyId = policy.GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString(), TargetId = rootId });

        // While the partner account is a member, its principals carry the organization's id: the RCP does not deny.
        await partnerKms.DecryptAsync(new DecryptRequest { CiphertextBlob = sealedByPartner.CiphertextBlob });

        await raw.OrganizationsAsync("RemoveAccountFromOrganization", new { AccountId = partner });
        var denied = await DeniedAsync(() => partnerKms.DecryptAsync(new DecryptRequest { CiphertextBlob = sealedByPartner.CiphertextBlob }));
        Assert.Contains("resource control policy", denied.Message);
        await DeniedAsync(() => partnerKms.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = Bytes("more") }));

        // The key's own account is unaffected.
        await securityKms.DecryptAsync(new DecryptRequest { CiphertextBlob = sealedByPartner.CiphertextBlob });
    }
}
