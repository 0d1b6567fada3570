using Keyhaven.Server.Network;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Federation;

/// <summary>
/// The federation scenario's setup, through the IAM API: the issuer registered as an OIDC provider (its certificate's
/// thumbprint trusted), a role <c>DeptReader</c> that tokens for audience <c>keyhaven-app</c> may assume (with session
/// tags), whose policy lets it encrypt and decrypt only records whose <c>dept</c> context matches its <c>dept</c> tag,
/// and the group mapping <c>finance</c> → DeptReader in the server's configuration.
/// </summary>
public sealed record FederationSetup(string ProviderArn, string RoleArn, string OtherRoleArn)
{
    public const string Audience = "keyhaven-app";

    public static async Task<FederationSetup> CreateAsync(TestServer server, TestOidcIssuer issuer, string? thumbprint = null)
    {
        using var iam = new IamQueryClient(server);
        var providerArn = (await iam.OkAsync("CreateOpenIDConnectProvider", ("Url", issuer.Issuer.ToString().TrimEnd('/')),
            ("ClientIDList.member.1", Audience), ("ThumbprintList.member.1", thumbprint ?? issuer.Thumbprint))).Value("OpenIDConnectProviderArn")!;
        var trust = $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"{{{{providerArn}}}}"},
              "Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"],
              "Condition":{"StringEquals":{"{{{{issuer.HostPath}}}}:aud":"{{{{Audience}}}}"},"StringLike":{"{{{{issuer.HostPath}}}}:sub":"user-*"}}}]}
            """;
        var roleArn = (await iam.OkAsync("CreateRole", ("RoleName", "DeptReader"), ("AssumeRolePolicyDocument", trust))).Value("Arn")!;
        await iam.OkAsync("PutRolePolicy", ("RoleName", "DeptReader"), ("PolicyName", "own-department"), ("PolicyDocument", $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*",
              "Condition":{"StringEquals":{"kms:EncryptionContext:dept":"${aws:PrincipalTag/dept}","aws:FederatedProvider":"{{{{providerArn}}}}"}}}]}
            """));
        var otherArn = (await iam.OkAsync("CreateRole", ("RoleName", "Operator"), ("AssumeRolePolicyDocument", trust))).Value("Arn")!;
        await server.Server.ReloadNetworkAsync(new NetworkConfiguration
        {
            GroupRoles = [new(providerArn, "finance", roleArn), new(providerArn, "ops", otherArn)],
        });
        return new FederationSetup(providerArn, roleArn, otherArn);
    }

    /// <summary>The claims of a finance user: the group, and the dept session tag in AWS's tags claim.</summary>
    public static object Claims(string dept, string group) => new Dictionary<string, object>
    {
        ["groups"] = new[] { group },
        ["amr"] = new[] { "pwd", "mfa" },
        ["https://aws.amazon.com/tags"] = new Dictionary<string, object>
        {
            ["principal_tags"] = new Dictionary<string, string[]> { ["dept"] = [dept] },
            ["transitive_tag_keys"] = new[] { "dept" },
        },
    };
}
