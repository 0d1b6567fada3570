using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>IAM calls are authorized by the same engine: iam:&lt;Action&gt; on the entity the call names.</summary>
public sealed class IamAuthorizationTests
{
    [Fact]
    public async Task A_user_may_manage_exactly_the_users_its_policy_names()
    {
        await using var server = await TestServer.StartAsync();
        using var root = new IamQueryClient(server);
        var account = server.Server.Deployment.Account.Value;
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["iam:CreateUser","iam:GetUser","iam:PutUserPolicy"],"Resource":"arn:aws:iam::{{account}}:user/dev-*"},
              {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},
              {"Effect":"Deny","Action":"iam:PutUserPolicy","Resource":"*"}]}
            """;
        var (adminArn, key, secret) = await root.CreateUserWithKeyAsync("team-admin", policy);
        using var admin = new IamQueryClient(server, key, secret);

        // AWS IAM: an identity policy allows the actions it names on the resources it names, and nothing else.
        await admin.OkAsync("CreateUser", ("UserName", "dev-alice"));
        await admin.OkAsync("GetUser", ("UserName", "dev-alice"));
        await admin.OkAsync("ListUsers");
        var outside = await admin.SendAsync("CreateUser", ("UserName", "prod-bob"));
        Assert.Equal(403, outside.Status);
        Assert.Equal("AccessDenied", outside.ErrorCode);
        Assert.Contains($"User: {adminArn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/prod-bob", outside.Root.ToString());
        Assert.Equal("AccessDenied", (await admin.SendAsync("DeleteUser", ("UserName", "dev-alice"))).ErrorCode);

        // An explicit deny wins over the allow.
        var denied = await admin.SendAsync("PutUserPolicy", ("UserName", "dev-alice"), ("PolicyName", "p"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"""));
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Contains("explicit deny", denied.Root.ToString());
        Assert.Equal(404, (await root.SendAsync("GetUser", ("UserName", "prod-bob"))).Status);
    }
}
