using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>IAM refuses policy documents it could not enforce, and enforces every document it stores.</summary>
public sealed class IamPolicyDocumentTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Text_that_is_not_JSON_is_MalformedPolicyDocument_however_long()
    {
        using var iam = new IamQueryClient(Server);
        await iam.OkAsync("CreateUser", ("UserName", "padded-garbage"));
        var response = await iam.SendAsync("PutUserPolicy", ("UserName", "padded-garbage"), ("PolicyName", "p"),
            ("PolicyDocument", "this is not json" + new string(' ', 33_000)));
        Assert.Equal(400, response.Status);
        Assert.Equal("MalformedPolicyDocument", response.ErrorCode);
        Assert.Equal(404, (await iam.SendAsync("GetUserPolicy", ("UserName", "padded-garbage"), ("PolicyName", "p"))).Status);
    }

    [Fact]
    public async Task A_valid_policy_with_much_whitespace_is_stored_and_enforced()
    {
        // spec: IAM API model policyDocumentType (at most 131,072 characters); IAM quotas count non-whitespace characters.
        using var iam = new IamQueryClient(Server);
        var padded = IamQueryClient.Allow("kms:CreateKey").Replace("\"Statement\":", new string(' ', 40_000) + "\"Statement\":", StringComparison.Ordinal);
        var (_, key, secret) = await iam.CreateUserWithKeyAsync("padded-user", padded);
        using var kms = Server.Kms(new BasicAWSCredentials(key, secret));
        await kms.CreateKeyAsync(new CreateKeyRequest());
    }

    [Fact]
    public async Task A_valid_policy_with_much_whitespace_is_enforced_by_AssumeRole_too()
    {
        // The identity store compiles the caller's policies for AssumeRole itself: it must take what IAM stored.
        using var iam = new IamQueryClient(Server);
        var padded = IamQueryClient.Allow("sts:AssumeRole").Replace("\"Statement\":", new string(' ', 40_000) + "\"Statement\":", StringComparison.Ordinal);
        var (userArn, key, secret) = await iam.CreateUserWithKeyAsync("padded-assumer", padded);
        var roleArn = await iam.CreateRoleAsync("padded-role", userArn);
        using var sts = Server.Sts(new BasicAWSCredentials(key, secret));
        await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "padded" });
    }

    [Fact]
    public async Task A_document_over_131072_characters_is_ValidationError()
    {
        using var iam = new IamQueryClient(Server);
        await iam.OkAsync("CreateUser", ("UserName", "too-long"));
        // Letters, not spaces, so the request stays under the server's body limit once form-encoded.
        var huge = IamQueryClient.Allow("kms:CreateKey").Replace("\"Effect\":", "\"Sid\":\"" + new string('A', 131_072) + "\",\"Effect\":", StringComparison.Ordinal);
        var response = await iam.SendAsync("PutUserPolicy", ("UserName", "too-long"), ("PolicyName", "p"), ("PolicyDocument", huge));
        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationError", response.ErrorCode);
    }

    [Theory]
    [InlineData("StringLike,StringNotEquals")]
    [InlineData("StringEquals ")]
    public async Task A_condition_operator_that_is_not_exactly_an_IAM_operator_is_MalformedPolicyDocument(string op)
    {
        using var iam = new IamQueryClient(Server);
        var user = "bad-operator-" + (op.Contains(',', StringComparison.Ordinal) ? "list" : "space");
        await iam.OkAsync("CreateUser", ("UserName", user));
        var policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"OP":{"aws:RequestTag/team":"red"}}}]}"""
            .Replace("OP", op, StringComparison.Ordinal);
        var response = await iam.SendAsync("PutUserPolicy", ("UserName", user), ("PolicyName", "p"), ("PolicyDocument", policy));
        Assert.Equal(400, response.Status);
        Assert.Equal("MalformedPolicyDocument", response.ErrorCode);
        Assert.Contains("is not a condition operator", response.Root.ToString(), StringComparison.Ordinal);
    }
}
