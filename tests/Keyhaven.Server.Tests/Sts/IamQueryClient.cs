using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.SigV4;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>
/// A minimal IAM Query client (form POST signed with SigV4 for <c>iam</c>) to set up users and roles for the STS
/// tests; the IAM wire is tested through the AWS CLI in Keyhaven.Cli.Tests.
/// </summary>
public sealed class IamQueryClient(TestServer server, string? accessKeyId = null, string? secret = null, string? sessionToken = null) : IDisposable
{
    private static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";
    private readonly HttpClient _http = new();

    public sealed record Response(int Status, XElement Root)
    {
        public string? Value(string name) => Root.Descendants(Ns + name).FirstOrDefault()?.Value ?? Root.Descendants(name).FirstOrDefault()?.Value;

        public string? ErrorCode => Root.Descendants(Ns + "Code").FirstOrDefault()?.Value;
    }

    public async Task<Response> SendAsync(string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", "2010-05-08") }.Concat(parameters)
            .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
        var body = Encoding.UTF8.GetBytes(form);
        var uri = server.Server.Endpoint;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var signer = new SigV4Signer(new SigV4Credentials(accessKeyId ?? server.AccessKeyId, secret ?? server.SecretAccessKey, sessionToken), server.Region, "iam", server.Clock);
        var signed = signer.Sign(SigV4SigningRequest.Create("POST", uri, [new("Content-Type", contentType)], body));
        foreach (var header in signed.HeadersToAdd)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        var response = await _http.SendAsync(request);
        return new Response((int)response.StatusCode, XElement.Parse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Sends and asserts success.</summary>
    public async Task<Response> OkAsync(string action, params (string Name, string Value)[] parameters)
    {
        var response = await SendAsync(action, parameters);
        Assert.True(response.Status == 200, $"{action} answered {response.Status}: {response.Root}");
        return response;
    }

    /// <summary>Creates a user with an access key (and optionally an inline policy); returns the user ARN and the key.</summary>
    public async Task<(string Arn, string AccessKeyId, string Secret)> CreateUserWithKeyAsync(string name, string? policy = null)
    {
        var arn = (await OkAsync("CreateUser", ("UserName", name))).Value("Arn")!;
        if (policy is not null)
        {
            await OkAsync("PutUserPolicy", ("UserName", name), ("PolicyName", "inline"), ("PolicyDocument", policy));
        }

        var key = await OkAsync("CreateAccessKey", ("UserName", name));
        return (arn, key.Value("AccessKeyId")!, key.Value("SecretAccessKey")!);
    }

    /// <summary>Creates a role trusting <paramref name="principalArn"/>, with an inline policy allowing all of KMS; returns its ARN.</summary>
    public async Task<string> CreateRoleAsync(string name, string principalArn, int? maxSessionDuration = null)
    {
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principalArn}}"},"Action":"sts:AssumeRole"}]}""";
        var parameters = new List<(string, string)> { ("RoleName", name), ("AssumeRolePolicyDocument", trust) };
        if (maxSessionDuration is { } max)
        {
            parameters.Add(("MaxSessionDuration", max.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var arn = (await OkAsync("CreateRole", [.. parameters])).Value("Arn")!;
        await OkAsync("PutRolePolicy", ("RoleName", name), ("PolicyName", "kms"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"""));
        return arn;
    }

    /// <summary>Creates a customer managed policy; returns its ARN.</summary>
    public async Task<string> CreatePolicyAsync(string name, string document, string? path = null)
    {
        var parameters = new List<(string, string)> { ("PolicyName", name), ("PolicyDocument", document) };
        if (path is not null)
        {
            parameters.Add(("Path", path));
        }

        return (await OkAsync("CreatePolicy", [.. parameters])).Value("Arn")!;
    }

    /// <summary>A policy document allowing <paramref name="actions"/> on every resource.</summary>
    public static string Allow(params string[] actions) =>
        System.Text.Json.JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = new[] { new { Effect = "Allow", Action = actions, Resource = "*" } } });

    public void Dispose() => _http.Dispose();
}
