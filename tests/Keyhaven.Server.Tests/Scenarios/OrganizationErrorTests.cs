using System.Text.Json;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>Organizations refusals with the error shapes of the AWS Organizations model.</summary>
public sealed class OrganizationErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<RawKmsClient.Response> SendAsync(RawKmsClient raw, string operation, object request) =>
        await raw.SendAsync("AWSOrganizationsV20161128." + operation, JsonSerializer.Serialize(request), service: "organizations");

    private async Task<string> EnsureOrganizationAsync(RawKmsClient raw)
    {
        var described = await SendAsync(raw, "DescribeOrganization", new { });
        var organization = described.Status == 200 ? described.Body : await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        return organization.GetProperty("Organization").GetProperty("MasterAccountId").GetString()!;
    }

    [Fact]
    public async Task Removing_the_management_account_is_MasterCannotLeaveOrganizationException()
    {
        using var raw = new RawKmsClient(Server);
        var management = await EnsureOrganizationAsync(raw);

        // spec: aws-models/organizations RemoveAccountFromOrganization errors: MasterCannotLeaveOrganizationException
        var refused = await SendAsync(raw, "RemoveAccountFromOrganization", new { AccountId = management });
        Assert.Equal(400, refused.Status);
        Assert.Equal("MasterCannotLeaveOrganizationException", refused.ErrorType);
        Assert.Equal(management, (await raw.OrganizationsAsync("DescribeAccount", new { AccountId = management })).GetProperty("Account").GetProperty("Id").GetString());
    }

    // spec: organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html — Allow only in the AWS managed
    // RCPFullAWSAccess; Principal must be "*"; NotPrincipal is not supported.
    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}""")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""")]
    public async Task An_rcp_with_Allow_NotPrincipal_or_a_named_Principal_is_MalformedPolicyDocumentException(string content)
    {
        using var raw = new RawKmsClient(Server);
        await EnsureOrganizationAsync(raw);
        var created = await SendAsync(raw, "CreatePolicy", new { Name = "rcp-" + Guid.NewGuid().ToString("N")[..8], Description = "d", Type = "RESOURCE_CONTROL_POLICY", Content = content });
        Assert.Equal(400, created.Status);
        Assert.Equal("MalformedPolicyDocumentException", created.ErrorType);

        const string deny = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}""";
        var policy = await raw.OrganizationsAsync("CreatePolicy", new { Name = "rcp-" + Guid.NewGuid().ToString("N")[..8], Description = "d", Type = "RESOURCE_CONTROL_POLICY", Content = deny });
        var id = policy.GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString();
        var updated = await SendAsync(raw, "UpdatePolicy", new { PolicyId = id, Content = content });
        Assert.Equal("MalformedPolicyDocumentException", updated.ErrorType);
    }

    [Fact]
    public async Task The_AWS_managed_RCPFullAWSAccess_still_loads_and_allows()
    {
        using var raw = new RawKmsClient(Server);
        await EnsureOrganizationAsync(raw);
        var described = (await raw.OrganizationsAsync("DescribePolicy", new { PolicyId = "p-RCPFullAWSAccess" })).GetProperty("Policy");
        Assert.Contains("\"Effect\":\"Allow\"", described.GetProperty("Content").GetString(), StringComparison.Ordinal);
        Assert.True(described.GetProperty("PolicySummary").GetProperty("AwsManaged").GetBoolean());
        using var kms = Server.Client();
        await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest());
    }
}
