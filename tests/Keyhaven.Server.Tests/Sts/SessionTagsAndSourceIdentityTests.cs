using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;
using StsTag = Amazon.SecurityToken.Model.Tag;

namespace Keyhaven.Server.Tests.Sts;

/// <summary>
/// AssumeRole session tags (sts:TagSession, aws:PrincipalTag for attribute-based access, transitive tags along a role
/// chain), source identity (sts:SetSourceIdentity, aws:SourceIdentity, fixed for the chain), managed session
/// policies and GetAccessKeyInfo, through AWSSDK.SecurityToken and AWSSDK.KeyManagementService.
/// </summary>
public sealed class SessionTagsAndSourceIdentityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    // Attribute-based access: the session may use a key only when the key's project tag is the session's project tag.
    private const string ProjectPolicy = """
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["kms:Encrypt","sts:AssumeRole","sts:TagSession"],"Resource":"*",
           "Condition":{"StringEqualsIfExists":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}"}}}]}
        """;

    private static string Trust(string principalArn, params string[] actions) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new[] { new { Effect = "Allow", Principal = new { AWS = principalArn }, Action = actions } },
        });

    private async Task<string> RoleAsync(IamQueryClient iam, string name, string trust, string policy)
    {
        var arn = (await iam.OkAsync("CreateRole", ("RoleName", name), ("AssumeRolePolicyDocument", trust))).Value("Arn")!;
        await iam.OkAsync("PutRolePolicy", ("RoleName", name), ("PolicyName", "inline"), ("PolicyDocument", policy));
        return arn;
    }

    private async Task<string> KeyTaggedAsync(string project)
    {
        using var admin = Server.Client();
        return (await admin.CreateKeyAsync(new CreateKeyRequest { Tags = [new() { TagKey = "project", TagValue = project }] })).KeyMetadata.KeyId;
    }

    private static Task EncryptAsync(Amazon.KeyManagementService.IAmazonKeyManagementService kms, string keyId) =>
        kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("data") });

    [Fact]
    public async Task Session_tags_become_principal_tags_and_need_sts_TagSession_in_the_trust_policy()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("tagger", IamQueryClient.Allow("sts:AssumeRole", "sts:TagSession"));
        var tagging = await RoleAsync(iam, "project-worker", Trust(userArn, "sts:AssumeRole", "sts:TagSession"), ProjectPolicy);
        var untagging = await RoleAsync(iam, "no-tags-please", Trust(userArn, "sts:AssumeRole"), ProjectPolicy);
        var alpha = await KeyTaggedAsync("alpha");
        var beta = await KeyTaggedAsync("beta");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));

        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = tagging, RoleSessionName = "alpha-job", Tags = [new StsTag { Key = "project", Value = "alpha" }],
        });
#pragma warning disable CS0618 // the SDK marks PackedPolicySize obsolete; the STS model (2011-06-15) still defines it
        Assert.InRange(session.PackedPolicySize!.Value, 1, 100);
#pragma warning restore CS0618
        using var kms = Server.Kms(session.Credentials);
        await EncryptAsync(kms, alpha);
        await DeniedAsync(() => EncryptAsync(kms, beta));

        // The role's trust policy does not allow sts:TagSession: a tagged session is refused, an untagged one is not.
        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = untagging, RoleSessionName = "alpha-job", Tags = [new StsTag { Key = "project", Value = "alpha" }],
        }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Contains("sts:TagSession", refused.Message);
        await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = untagging, RoleSessionName = "plain" });

        var malformed = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = tagging, RoleSessionName = "bad", Tags = [new StsTag { Key = "aws:project", Value = "x" }],
        }));
        Assert.Equal("ValidationError", malformed.ErrorCode);
    }

    [Fact]
    public async Task Transitive_tags_follow_a_role_chain_and_cannot_be_overridden()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("chainer", IamQueryClient.Allow("sts:AssumeRole", "sts:TagSession"));
        var first = await RoleAsync(iam, "chain-first", Trust(userArn, "sts:AssumeRole", "sts:TagSession"), ProjectPolicy);
        var second = await RoleAsync(iam, "chain-second", Trust(first, "sts:AssumeRole", "sts:TagSession"), ProjectPolicy);
        var alpha = await KeyTaggedAsync("alpha");
        var beta = await KeyTaggedAsync("beta");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));
        var firstSession = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = first, RoleSessionName = "one", Tags = [new StsTag { Key = "project", Value = "alpha" }], TransitiveTagKeys = ["project"],
        });

        using var chained = Server.Sts(firstSession.Credentials);
        var secondSession = await chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "two" });
        using var kms = Server.Kms(secondSession.Credentials);
        await EncryptAsync(kms, alpha);
        await DeniedAsync(() => EncryptAsync(kms, beta));

        var overridden = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => chained.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = second, RoleSessionName = "two", Tags = [new StsTag { Key = "Project", Value = "beta" }],
        }));
        Assert.Contains("transitive", overridden.Message);
    }

    [Fact]
    public async Task A_source_identity_needs_sts_SetSourceIdentity_reaches_policies_and_stays_for_the_chain()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("alice-laptop", IamQueryClient.Allow("sts:AssumeRole", "sts:SetSourceIdentity"));
        const string onlyAlice = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["kms:Encrypt","sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"},
              {"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceIdentity":"alice"}}}]}
            """;
        var first = await RoleAsync(iam, "si-first", Trust(userArn, "sts:AssumeRole", "sts:SetSourceIdentity"), onlyAlice);
        var second = await RoleAsync(iam, "si-second", Trust(first, "sts:AssumeRole", "sts:SetSourceIdentity"), onlyAlice);
        var withoutPermission = await RoleAsync(iam, "si-none", Trust(userArn, "sts:AssumeRole"), onlyAlice);
        var key = await KeyTaggedAsync("any");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));

        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = first, RoleSessionName = "work", SourceIdentity = "alice" });
        Assert.Equal("alice", session.SourceIdentity);
        using (var kms = Server.Kms(session.Credentials))
        {
            await EncryptAsync(kms, key);
        }

        // Without a source identity the role's own deny applies; without sts:SetSourceIdentity the session is refused.
        var anonymous = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = first, RoleSessionName = "anon" });
        using (var kms = Server.Kms(anonymous.Credentials))
        {
            await DeniedAsync(() => EncryptAsync(kms, key));
        }

        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = withoutPermission, RoleSessionName = "ww", SourceIdentity = "alice" }));
        Assert.Contains("sts:SetSourceIdentity", refused.Message);

        using var chained = Server.Sts(session.Credentials);
        var next = await chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "next" });
        Assert.Equal("alice", next.SourceIdentity);
        var changed = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            chained.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = second, RoleSessionName = "next", SourceIdentity = "mallory" }));
        Assert.Equal("AccessDenied", changed.ErrorCode);
    }

    [Fact]
    public async Task A_managed_session_policy_narrows_the_session_to_what_it_allows()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("narrower", IamQueryClient.Allow("sts:AssumeRole"));
        var role = await iam.CreateRoleAsync("broad-kms", userArn);
        var encryptOnly = await iam.CreatePolicyAsync("encrypt-only", IamQueryClient.Allow("kms:Encrypt"));
        var key = await KeyTaggedAsync("any");
        using var sts = Server.Sts(new BasicAWSCredentials(id, secret));

        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = role, RoleSessionName = "narrow", PolicyArns = [new PolicyDescriptorType { Arn = encryptOnly }] });
        using var kms = Server.Kms(session.Credentials);
        await EncryptAsync(kms, key);
        await DeniedAsync(() => kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, NumberOfBytes = 32 }));

        var missing = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = role, RoleSessionName = "xx", PolicyArns = [new PolicyDescriptorType { Arn = encryptOnly + "-gone" }],
        }));
        Assert.Equal("ValidationError", missing.ErrorCode);
    }

    [Fact]
    public async Task GetAccessKeyInfo_names_the_account_of_long_term_and_session_keys_for_callers_allowed_to_ask()
    {
        using var iam = new IamQueryClient(Server);
        var (userArn, id, secret) = await iam.CreateUserWithKeyAsync("key-owner", IamQueryClient.Allow("sts:AssumeRole"));
        var role = await iam.CreateRoleAsync("key-owner-role", userArn);
        using var asUser = Server.Sts(new BasicAWSCredentials(id, secret));
        var session = await asUser.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = role, RoleSessionName = "ss" });
        var account = userArn.Split(':')[4];

        using var root = Server.Sts();
        Assert.Equal(account, (await root.GetAccessKeyInfoAsync(new GetAccessKeyInfoRequest { AccessKeyId = id })).Account);
        Assert.Equal(account, (await root.GetAccessKeyInfoAsync(new GetAccessKeyInfoRequest { AccessKeyId = session.Credentials.AccessKeyId })).Account);

        var denied = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => asUser.GetAccessKeyInfoAsync(new GetAccessKeyInfoRequest { AccessKeyId = id }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Contains("sts:GetAccessKeyInfo", denied.Message);
    }
}
