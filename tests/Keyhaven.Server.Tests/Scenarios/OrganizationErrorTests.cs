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
}
