using System.Text.Json;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>AWS Organizations calls (JSON 1.1) signed by the deployment's root, for the scenario tests.</summary>
public static class OrganizationsCalls
{
    /// <summary>Sends <paramref name="operation"/> and asserts success; returns the response body.</summary>
    public static async Task<JsonElement> OrganizationsAsync(this RawKmsClient raw, string operation, object request)
    {
        var response = await raw.SendAsync("AWSOrganizationsV20161128." + operation, JsonSerializer.Serialize(request), service: "organizations");
        Assert.True(response.Status == 200, $"{operation} answered {response.Status} {response.ErrorType}: {response.Message}");
        return response.Body;
    }
}
