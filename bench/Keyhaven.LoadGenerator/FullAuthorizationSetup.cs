using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Keyhaven.SigV4;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// Sets a fresh server up so that every measured KMS request passes every authorization layer: an organization with a
/// member account and an SCP with a condition on its root, an IAM user of the management account who assumes
/// <c>OrganizationAccountAccessRole</c> in the member account (an identity policy and a role session), and a key in the
/// member account whose default key policy delegates to IAM. Returns the session's credentials for the load.
/// </summary>
internal static class FullAuthorizationSetup
{
    /// <summary>Evaluated on every request: denies everything outside us-east-1 (a condition the engine must check).</summary>
    private const string RegionGuardrail =
        """{"Version":"2012-10-17","Statement":[{"Sid":"OnlyUsEast1","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]}""";

    public static async Task<SigV4Credentials> RunAsync(Uri endpoint, SigV4Credentials root, string region)
    {
        using var http = KmsRequestSender.CreateHttpClient(1);
        await JsonAsync(http, endpoint, root, region, "CreateOrganization", """{"FeatureSet":"ALL"}""");
        using var created = await JsonAsync(http, endpoint, root, region, "CreateAccount", """{"Email":"load@example.com","AccountName":"load"}""");
        string requestId = created.RootElement.GetProperty("CreateAccountStatus").GetProperty("Id").GetString()!;
        using var status = await JsonAsync(http, endpoint, root, region, "DescribeCreateAccountStatus", $$"""{"CreateAccountRequestId":"{{requestId}}"}""");
        string member = status.RootElement.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString()!;
        using var roots = await JsonAsync(http, endpoint, root, region, "ListRoots", "{}");
        string rootId = roots.RootElement.GetProperty("Roots")[0].GetProperty("Id").GetString()!;
        using var policy = await JsonAsync(http, endpoint, root, region, "CreatePolicy", JsonSerializer.Serialize(new
        {
            Name = "region-guardrail", Description = "deny outside us-east-1", Type = "SERVICE_CONTROL_POLICY", Content = RegionGuardrail,
        }));
        string policyId = policy.RootElement.GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString()!;
        (await JsonAsync(http, endpoint, root, region, "AttachPolicy", $$"""{"PolicyId":"{{policyId}}","TargetId":"{{rootId}}"}""")).Dispose();

        await QueryAsync(http, endpoint, root, region, "iam", "2010-05-08", "CreateUser", ("UserName", "loadgen"));
        await QueryAsync(http, endpoint, root, region, "iam", "2010-05-08", "PutUserPolicy", ("UserName", "loadgen"), ("PolicyName", "assume"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"""));
        var key = await QueryAsync(http, endpoint, root, region, "iam", "2010-05-08", "CreateAccessKey", ("UserName", "loadgen"));
        var user = new SigV4Credentials(Value(key, "AccessKeyId"), Value(key, "SecretAccessKey"));
        var session = await QueryAsync(http, endpoint, user, region, "sts", "2011-06-15", "AssumeRole",
            ("RoleArn", $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"), ("RoleSessionName", "loadgen"), ("DurationSeconds", "3600"));
        Console.WriteLine($"full authorization: member account {member}, SCP {policyId} (with a condition) on {rootId}, role session in the member account");
        return new SigV4Credentials(Value(session, "AccessKeyId"), Value(session, "SecretAccessKey"), Value(session, "SessionToken"));
    }

    private static async Task<JsonDocument> JsonAsync(HttpClient http, Uri endpoint, SigV4Credentials credentials, string region, string operation, string body)
    {
        const string contentType = "application/x-amz-json-1.1";
        string target = "AWSOrganizationsV20161128." + operation;
        var text = await SendAsync(http, endpoint, credentials, region, "organizations", Encoding.UTF8.GetBytes(body), contentType,
            [new HttpHeader("X-Amz-Target", target)], operation);
        return JsonDocument.Parse(text.Length == 0 ? "{}" : text);
    }

    private static async Task<XElement> QueryAsync(HttpClient http, Uri endpoint, SigV4Credentials credentials, string region, string service, string version,
        string action, params (string Name, string Value)[] parameters)
    {
        string form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters)
            .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
        var text = await SendAsync(http, endpoint, credentials, region, service, Encoding.UTF8.GetBytes(form),
            "application/x-www-form-urlencoded; charset=utf-8", [], action);
        return XElement.Parse(text);
    }

    private static async Task<string> SendAsync(HttpClient http, Uri endpoint, SigV4Credentials credentials, string region, string service, byte[] body,
        string contentType, HttpHeader[] extraHeaders, string operation)
    {
        var signer = new SigV4Signer(credentials, region, service, TimeProvider.System);
        var signed = signer.Sign(SigV4SigningRequest.Create("POST", endpoint, [new HttpHeader("Content-Type", contentType), .. extraHeaders], body));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var header in extraHeaders.Concat(signed.HeadersToAdd))
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Setup call {service}:{operation} failed with {(int)response.StatusCode}: {text}");
        }

        return text;
    }

    private static string Value(XElement root, string name) =>
        root.Descendants().First(e => e.Name.LocalName == name).Value;
}
