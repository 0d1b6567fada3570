using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// Governance analysis through the server's KeyhavenGovernance API: external access, separation of duties, "who can
/// decrypt" across accounts of an organization with SCPs, compliance rules, and who may ask.
/// </summary>
public sealed partial class GovernanceAnalysisTests
{
    private const string External = "111122223333";

    private static string Rule(JsonElement finding) => finding.GetProperty("rule").GetString()!;

    private static string? Text(JsonElement finding, string member) => finding.GetProperty(member).GetString();

    [Fact]
    public async Task A_grant_and_a_key_policy_statement_for_another_account_and_a_public_statement_are_external_access_findings()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "shared" })).KeyMetadata;
        var own = key.AWSAccountId;
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = $"arn:aws:iam::{External}:root", Operations = ["Decrypt", "GenerateDataKey"],
        });
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId,
            Policy = $$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{own}}}:root"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"},
                  {"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"},
                  {"Sid":"AnyoneInAccount","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"{{{own}}}"} } }
                ]}
                """,
        });
        var clean = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "private" })).KeyMetadata;

        var findings = await raw.FindingsAsync("external-access");

        var viaGrant = Assert.Single(findings, f => Text(f, "statement") == "grant:" + grant.GrantId);
        Assert.Equal(("EXTERNAL_ACCESS", "HIGH", key.Arn, $"arn:aws:iam::{External}:root"),
            (Rule(viaGrant), Text(viaGrant, "severity"), Text(viaGrant, "resource"), Text(viaGrant, "principal")));
        Assert.Contains("Decrypt, GenerateDataKey", Text(viaGrant, "description"));
        Assert.StartsWith("KH-", Text(viaGrant, "id"));
        Assert.False(string.IsNullOrEmpty(Text(viaGrant, "remediation")));

        var partner = Assert.Single(findings, f => Text(f, "statement") == "key-policy#Partner");
        Assert.Equal(("EXTERNAL_ACCESS", "444455556666"), (Rule(partner), Text(partner, "principal")));
        Assert.Contains("kms:Decrypt", Text(partner, "description"));

        var anyone = Assert.Single(findings, f => Text(f, "statement") == "key-policy#Anyone");
        Assert.Equal(("PUBLIC_ACCESS", "CRITICAL", "*"), (Rule(anyone), Text(anyone, "severity"), Text(anyone, "principal")));
        Assert.Contains("kms:Encrypt, kms:DescribeKey", Text(anyone, "description"));

        // A wildcard principal limited to the key's own account, the account's own root, and the other key: nothing to report.
        Assert.DoesNotContain(findings, f => Text(f, "statement") is "key-policy#AnyoneInAccount" or "key-policy#Admin");
        Assert.DoesNotContain(findings, f => Text(f, "resource") == clean.Arn);
        Assert.Equal(3, findings.Count);

        // The same findings have the same ids on the next run.
        var again = await raw.FindingsAsync("external-access");
        Assert.Equal(findings.Select(f => Text(f, "id")), again.Select(f => Text(f, "id")));

        // The policy validator, run over the stored key policy, warns about the same statement.
        var validation = Assert.Single(await raw.FindingsAsync("policy-validation"), f => Text(f, "resource") == key.Arn);
        Assert.Equal(("POLICY_VALIDATION", "MEDIUM", "key-policy $.Statement[2].Principal"), (Rule(validation), Text(validation, "severity"), Text(validation, "statement")));
        Assert.StartsWith("SECURITY_WARNING PUBLIC_ACCESS_WITHOUT_CONDITION:", Text(validation, "description"));
    }

    [Fact]
    public async Task A_role_that_can_both_manage_and_use_a_key_is_flagged_and_one_that_only_uses_it_is_not()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var root = $"arn:aws:iam::{key.AWSAccountId}:root";
        var keyAdmin = await iam.CreateRoleAsync("KeyAdmin", root); // kms:* on *
        var app = await CreateRoleAsync(iam, "App", root, """{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}""");
        var custodian = await CreateRoleAsync(iam, "Custodian", root, """{"Effect":"Allow","Action":["kms:PutKeyPolicy","kms:ScheduleKeyDeletion"],"Resource":"*"}""");

        var findings = await raw.FindingsAsync("separation-of-duties");

        var flagged = Assert.Single(findings);
        Assert.Equal(("SEPARATION_OF_DUTIES", "HIGH", key.Arn, keyAdmin), (Rule(flagged), Text(flagged, "severity"), Text(flagged, "resource"), Text(flagged, "principal")));
        Assert.Contains("kms:PutKeyPolicy", Text(flagged, "description"));
        Assert.Contains("kms:Decrypt", Text(flagged, "description"));
        Assert.Equal("IdentityPolicy kms#0", Text(flagged, "statement")); // the role's own policy allowed (the key policy delegates to IAM)
        Assert.DoesNotContain(findings, f => Text(f, "principal") == app || Text(f, "principal") == custodian);

        // The compliance rules see the same role's policy: kms:* on *.
        var compliance = await raw.FindingsAsync("compliance");
        var broad = Assert.Single(compliance, f => Rule(f) == "IDENTITY_POLICY_ALLOWS_KMS_ALL");
        Assert.Equal((keyAdmin, "kms#0"), (Text(broad, "resource"), Text(broad, "statement")));
        Assert.Contains(compliance, f => Rule(f) == "KEY_ROTATION_DISABLED" && Text(f, "resource") == key.Arn);
        Assert.DoesNotContain(compliance, f => Rule(f) == "KEY_POLICY_WITHOUT_ADMINISTRATOR");

        // Rotation on: that rule is satisfied.
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        Assert.DoesNotContain(await raw.FindingsAsync("compliance"), f => Rule(f) == "KEY_ROTATION_DISABLED");
    }

    [Fact]
    public async Task Who_can_decrypt_lists_exactly_the_expected_principals_of_an_organization_with_an_scp()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var created = await raw.OrganizationsAsync("CreateAccount", new { Email = "workloads@example.com", AccountName = "workloads" });
        var status = await raw.OrganizationsAsync("DescribeCreateAccountStatus",
            new { CreateAccountRequestId = created.GetProperty("CreateAccountStatus").GetProperty("Id").GetString() });
        var member = status.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString()!;
        var rootId = (await raw.OrganizationsAsync("ListRoots", new { })).GetProperty("Roots")[0].GetProperty("Id").GetString();

        // Management account: an operator (who reaches the member account) and a Reader role the member's key policy names.
        using var iam = new IamQueryClient(server);
        var (operatorArn, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var management = operatorArn.Split(':')[4];
        var reader = await CreateRoleAsync(iam, "Reader", $"arn:aws:iam::{management}:root", """{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}""");

        // Member account: roles made through OrganizationAccountAccessRole, and a key whose policy names them.
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var session = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName = "ops" })).Credentials;
        using var memberIam = new IamQueryClient(server, session.AccessKeyId, session.SecretAccessKey, session.SessionToken);
        var memberRoot = $"arn:aws:iam::{member}:root";
        var appReader = await CreateRoleAsync(memberIam, "AppReader", memberRoot, """{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}""");
        var appPayroll = await CreateRoleAsync(memberIam, "AppPayroll", memberRoot, """{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}""");
        var batch = await CreateRoleAsync(memberIam, "Batch", memberRoot, """{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}""");
        using var memberKms = server.Kms(session);
        var key = (await memberKms.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = $$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Account","Effect":"Allow","Principal":{"AWS":"{{{memberRoot}}}"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"Reader","Effect":"Allow","Principal":{"AWS":"{{{reader}}}"},"Action":"kms:Decrypt","Resource":"*"},
                  {"Sid":"Payroll","Effect":"Allow","Principal":{"AWS":"{{{appPayroll}}}"},"Action":"kms:Decrypt","Resource":"*",
                   "Condition":{"StringEquals":{"kms:EncryptionContext:app":"payroll"} } }
                ]}
                """,
        })).KeyMetadata;

        // The SCP: in member accounts only App* roles may decrypt.
        var scp = """{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAppsDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/App*"}}}]}""";
        var policy = await raw.OrganizationsAsync("CreatePolicy", new { Name = "apps-decrypt", Description = "d", Type = "SERVICE_CONTROL_POLICY", Content = scp });
        await raw.OrganizationsAsync("AttachPolicy", new { PolicyId = policy.GetProperty("Policy").GetProperty("PolicySummary").GetProperty("Id").GetString(), TargetId = rootId });

        var access = await raw.KeyAccessAsync(key.Arn, "kms:Decrypt");

        string Outcome(string principal) => access[principal].GetProperty("outcome").GetString()!;
        Assert.Equal("ALLOWED", Outcome(appReader));
        Assert.Equal("IdentityPolicy", access[appReader].GetProperty("layer").GetString());
        Assert.Equal("ALLOWED", Outcome(reader)); // cross-account: key policy and its own policy; the management account has no SCP
        Assert.Equal("ALLOWED_WITH_CONDITIONS", Outcome(appPayroll));
        Assert.Contains("StringEquals kms:EncryptionContext:app = payroll (ResourcePolicy: key-policy#Payroll)",
            access[appPayroll].GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("DENIED", Outcome(batch));
        Assert.Contains("explicit deny in a service control policy", access[batch].GetProperty("reason").GetString());
        Assert.Equal("ServiceControlPolicy", access[batch].GetProperty("layer").GetString());
        Assert.Equal("DENIED", Outcome(memberRoot)); // SCPs bind a member account's root too
        Assert.Equal("DENIED", Outcome($"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"));
        Assert.Equal("DENIED", Outcome($"arn:aws:iam::{management}:root")); // the key policy does not name the management account
        Assert.Equal("DENIED", Outcome(operatorArn));

        var allowed = access.Where(p => p.Value.GetProperty("outcome").GetString() != "DENIED").Select(p => p.Key).Order().ToList();
        Assert.Equal(new[] { appPayroll, appReader, reader }.Order(), allowed);

        // The member account's administrator asks too: the same answers for its own principals, none for the management
        // account's (another tenant's users and roles are not its to see, even one the key policy names); nor the management account's keys.
        var managementKey = (await server.Client().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var memberView = await raw.SendAsync("KeyhavenGovernance.AnalyzeKeyAccess", JsonSerializer.Serialize(new { keyId = key.Arn, action = "kms:Decrypt" }),
            session.AccessKeyId, session.SecretAccessKey, service: "keyhaven", sessionToken: session.SessionToken);
        Assert.True(memberView.Status == 200, memberView.Message);
        var memberPrincipals = memberView.Body.GetProperty("principals").EnumerateArray().Select(p => p.GetProperty("principal").GetString()!).Order().ToList();
        Assert.Equal(access.Keys.Select(k => k.Split(' ')[0]).Where(arn => arn.Split(':')[4] == member).Distinct().Order(), memberPrincipals);
        Assert.DoesNotContain(reader, memberPrincipals);
        Assert.DoesNotContain(operatorArn, memberPrincipals);
        var hidden = await raw.SendAsync("KeyhavenGovernance.AnalyzeKeyAccess", JsonSerializer.Serialize(new { keyId = managementKey.Arn, action = "kms:Decrypt" }),
            session.AccessKeyId, session.SecretAccessKey, service: "keyhaven", sessionToken: session.SessionToken);
        Assert.Equal("NotFoundException", hidden.ErrorType);
    }

    [Fact]
    public async Task Only_callers_allowed_keyhaven_analyze_actions_may_ask_and_each_call_is_audited()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        var (_, nobodyKey, nobodySecret) = await iam.CreateUserWithKeyAsync("nobody");
        var (_, auditorKey, auditorSecret) = await iam.CreateUserWithKeyAsync("auditor",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyhaven:Analyze*","Resource":"*"}]}""");

        var denied = await raw.SendAsync("KeyhavenGovernance.AnalyzeFindings", "{}", nobodyKey, nobodySecret, service: "keyhaven");
        Assert.Equal((400, "AccessDeniedException"), (denied.Status, denied.ErrorType));
        Assert.Contains("keyhaven:AnalyzeFindings", denied.Message);
        var deniedEvent = (await server.EventOfAsync(denied.Http.Headers.GetValues("x-amzn-RequestId").Single())).Event;
        Assert.Equal(("governance.keyhaven", "AnalyzeFindings", "AccessDeniedException"), (deniedEvent.EventSource, deniedEvent.EventName, deniedEvent.ErrorCode));

        var body = await raw.GovernanceAsync("AnalyzeFindings", new { analyzers = new[] { "compliance" }, unusedDays = 7 }, auditorKey, auditorSecret);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("findings").ValueKind);

        var invalid = await raw.SendAsync("KeyhavenGovernance.AnalyzeFindings", """{"analyzers":["everything"]}""", auditorKey, auditorSecret, service: "keyhaven");
        Assert.Equal(("ValidationException", 400), (invalid.ErrorType, invalid.Status));
        Assert.Contains("`everything` is not an analyzer", invalid.Message);
        var missing = await raw.SendAsync("KeyhavenGovernance.AnalyzeKeyAccess", """{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","action":"kms:Decrypt"}""",
            auditorKey, auditorSecret, service: "keyhaven");
        Assert.Equal("NotFoundException", missing.ErrorType);
        var badAction = await raw.SendAsync("KeyhavenGovernance.AnalyzeKeyAccess", """{"keyId":"k","action":"s3:GetObject"}""", auditorKey, auditorSecret, service: "keyhaven");
        Assert.Equal("ValidationException", badAction.ErrorType);
        var unknown = await raw.SendAsync("KeyhavenGovernance.Everything", "{}", auditorKey, auditorSecret, service: "keyhaven");
        Assert.Equal("UnknownOperationException", unknown.ErrorType);
    }

    private static async Task<string> CreateRoleAsync(IamQueryClient iam, string name, string trusted, string statement)
    {
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{trusted}}"},"Action":"sts:AssumeRole"}]}""";
        var arn = (await iam.OkAsync("CreateRole", ("RoleName", name), ("AssumeRolePolicyDocument", trust))).Value("Arn")!;
        await iam.OkAsync("PutRolePolicy", ("RoleName", name), ("PolicyName", "access"), ("PolicyDocument", $$"""{"Version":"2012-10-17","Statement":[{{statement}}]}"""));
        return arn;
    }
}
