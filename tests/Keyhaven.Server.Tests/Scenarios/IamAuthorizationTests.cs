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

    [Fact]
    public async Task A_deny_on_iam_PolicyARN_stops_attaching_that_policy_and_no_other()
    {
        await using var server = await TestServer.StartAsync();
        using var root = new IamQueryClient(server);
        var admin = await root.CreatePolicyAsync("Admin", IamQueryClient.Allow("*"));
        var reader = await root.CreatePolicyAsync("Reader", IamQueryClient.Allow("kms:DescribeKey"));
        var policy = $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"iam:*","Resource":"*"},
              {"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:AttachRolePolicy","iam:AttachGroupPolicy"],"Resource":"*",
               "Condition":{"ArnEquals":{"iam:PolicyARN":"{{{{admin}}}}"}}}]}
            """;
        var (_, key, secret) = await root.CreateUserWithKeyAsync("attacher", policy);
        await root.OkAsync("CreateUser", ("UserName", "target"));
        using var attacher = new IamQueryClient(server, key, secret);

        // AWS (Service Authorization Reference, IAM): Attach/Detach{User,Role,Group}Policy carry iam:PolicyARN.
        var denied = await attacher.SendAsync("AttachUserPolicy", ("UserName", "target"), ("PolicyArn", admin));
        Assert.Equal(403, denied.Status);
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Contains("explicit deny", denied.Root.ToString());
        await attacher.OkAsync("AttachUserPolicy", ("UserName", "target"), ("PolicyArn", reader));
    }

    [Fact]
    public async Task A_delegated_admin_may_create_users_only_with_the_required_permissions_boundary()
    {
        await using var server = await TestServer.StartAsync();
        using var root = new IamQueryClient(server);
        var boundary = await root.CreatePolicyAsync("XCompanyBoundaries", IamQueryClient.Allow("kms:DescribeKey"));
        var other = await root.CreatePolicyAsync("Other", IamQueryClient.Allow("*"));

        // spec: IAM/latest/UserGuide/access_policies_boundaries.html (delegating responsibility: CreateOrChangeOnlyWithBoundary)
        var policy = $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["iam:CreateUser","iam:PutUserPermissionsBoundary","iam:AttachUserPolicy","iam:PutUserPolicy"],"Resource":"*",
               "Condition":{"StringEquals":{"iam:PermissionsBoundary":"{{{{boundary}}}}"}}}]}
            """;
        var (_, key, secret) = await root.CreateUserWithKeyAsync("delegated-admin", policy);
        using var admin = new IamQueryClient(server, key, secret);

        await admin.OkAsync("CreateUser", ("UserName", "bounded"), ("PermissionsBoundary", boundary));
        Assert.Equal("AccessDenied", (await admin.SendAsync("CreateUser", ("UserName", "unbounded"))).ErrorCode);
        Assert.Equal("AccessDenied", (await admin.SendAsync("CreateUser", ("UserName", "other-bound"), ("PermissionsBoundary", other))).ErrorCode);

        // On an existing user the key is the user's boundary: the admin may change only users it bounded.
        await admin.OkAsync("AttachUserPolicy", ("UserName", "bounded"), ("PolicyArn", other));
        await root.OkAsync("CreateUser", ("UserName", "free"));
        Assert.Equal("AccessDenied", (await admin.SendAsync("AttachUserPolicy", ("UserName", "free"), ("PolicyArn", other))).ErrorCode);
        Assert.Equal("AccessDenied", (await admin.SendAsync("PutUserPermissionsBoundary", ("UserName", "bounded"), ("PermissionsBoundary", other))).ErrorCode);
        await admin.OkAsync("PutUserPermissionsBoundary", ("UserName", "free"), ("PermissionsBoundary", boundary));
        await admin.OkAsync("AttachUserPolicy", ("UserName", "free"), ("PolicyArn", other));
        Assert.Equal(404, (await root.SendAsync("GetUser", ("UserName", "unbounded"))).Status);
    }
}
