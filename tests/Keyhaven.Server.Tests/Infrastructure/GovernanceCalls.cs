using System.Text.Json;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>Keyhaven's governance API (JSON 1.1, <c>KeyhavenGovernance.*</c>, signing name <c>keyhaven</c>), signed by the deployment's root unless told otherwise.</summary>
public static class GovernanceCalls
{
    /// <summary>Sends <paramref name="operation"/> and asserts success; returns the response body.</summary>
    public static async Task<JsonElement> GovernanceAsync(this RawKmsClient raw, string operation, object request, string? accessKeyId = null, string? secret = null)
    {
        var response = await raw.SendAsync("KeyhavenGovernance." + operation, JsonSerializer.Serialize(request), accessKeyId, secret, service: "keyhaven");
        Assert.True(response.Status == 200, $"{operation} answered {response.Status} {response.ErrorType}: {response.Message}");
        return response.Body;
    }

    /// <summary>The findings of <paramref name="analyzers"/> (every analyzer when none is named).</summary>
    public static async Task<List<JsonElement>> FindingsAsync(this RawKmsClient raw, params string[] analyzers) =>
        [.. (await raw.GovernanceAsync("AnalyzeFindings", new { analyzers })).GetProperty("findings").EnumerateArray()];

    /// <summary>Who can perform <paramref name="action"/> on <paramref name="keyId"/>: principal ARN (with the federated group, if any) to the entry.</summary>
    public static async Task<Dictionary<string, JsonElement>> KeyAccessAsync(this RawKmsClient raw, string keyId, string action)
    {
        var report = await raw.GovernanceAsync("AnalyzeKeyAccess", new { keyId, action });
        return report.GetProperty("principals").EnumerateArray().ToDictionary(
            p => p.GetProperty("principal").GetString()! + (p.GetProperty("via").GetString() is { } via ? " " + via : ""), p => p);
    }
}
