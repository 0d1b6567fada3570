using BenchmarkDotNet.Attributes;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Benchmarks.Policy;

/// <summary>
/// One authorization decision on compiled policies: (a) a typical 9-statement key policy with conditions,
/// (b) a request that passes SCPs (root, OU, account) + identity policy + key policy + permissions boundary,
/// (c) a 100-statement identity policy whose matching statement is the last one.
/// </summary>
[MemoryDiagnoser]
public class PolicyEvaluatorBenchmarks
{
    private const string Account = "111111111111";
    private const string KeyArn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private AuthorizationRequest _keyRequest = null!;
    private PolicySet _keyPolicyOnly = null!;
    private PolicySet _layered = null!;
    private AuthorizationRequest _s3Request = null!;
    private PolicySet _largeIdentity = null!;

    [GlobalSetup]
    public void Setup()
    {
        // (a) The shape of a real key policy: admin statements, use statements with encryption-context, ViaService and
        // caller-account conditions, a grant-management statement, and two deny guard rails.
        const string keyPolicy = """
        {
          "Version": "2012-10-17",
          "Id": "key-policy-app",
          "Statement": [
            { "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
              "Condition": { "Bool": { "aws:SecureTransport": "false" } } },
            { "Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
              "Condition": { "StringNotEquals": { "aws:PrincipalOrgID": "o-abc123" }, "BoolIfExists": { "aws:PrincipalIsAWSService": "false" } } },
            { "Sid": "KeyAdministrators", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/KeyAdmin" },
              "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
              "Resource": "*" },
            { "Sid": "BatchEncrypt", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/Batch" },
              "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
              "Condition": { "StringEquals": { "kms:EncryptionContext:app": "batch" } } },
            { "Sid": "ReportsViaS3", "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
              "Condition": { "StringEquals": { "kms:CallerAccount": "111111111111", "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
            { "Sid": "GrantsForAwsResources", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/App" },
              "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
              "Condition": { "Bool": { "kms:GrantIsForAWSResource": "true" } } },
            { "Sid": "AuditorsDescribe", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/Auditor" },
              "Action": ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus"], "Resource": "*" },
            { "Sid": "AppDecryptHr", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/App" },
              "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
              "Condition": { "StringEquals": { "kms:EncryptionContext:dept": ["hr", "payroll"] }, "ForAllValues:StringLike": { "kms:EncryptionContextKeys": ["dept", "app*"] } } },
            { "Sid": "EnableIam", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:root" }, "Action": "kms:*", "Resource": "*" }
          ]
        }
        """;
        var keyPolicyCompiled = PolicyCompiler.Compile(keyPolicy, "key-policy");
        _keyRequest = new AuthorizationRequest
        {
            Principal = PrincipalIdentity.Parse("arn:aws:sts::111111111111:assumed-role/App/i-0abc"),
            Action = "kms:Decrypt",
            Resource = RequestResource.Create(KeyArn, AccountId.Parse(Account)),
            Context = RequestContext.From(
            [
                KeyValuePair.Create("aws:SecureTransport", new ContextValues("true")),
                KeyValuePair.Create("aws:RequestedRegion", new ContextValues("us-east-1")),
                KeyValuePair.Create("aws:PrincipalOrgID", new ContextValues("o-abc123")),
                KeyValuePair.Create("kms:EncryptionContext:dept", new ContextValues("hr")),
                KeyValuePair.Create("kms:EncryptionContextKeys", new ContextValues(["dept", "app-id"])),
                KeyValuePair.Create("aws:PrincipalTag/team", new ContextValues("payroll")),
            ]),
        };
        _keyPolicyOnly = new PolicySet { ResourcePolicy = keyPolicyCompiled };

        // (b) SCPs at root, OU and account; identity policy; key policy; boundary.
        var fullAccess = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", "FullAWSAccess");
        var denyRegions = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}""", "region-guard");
        var identity = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::app-bucket/*"},{"Sid":"UseKeys","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111111111111:key/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"payroll"}}}]}""", "app-inline");
        var boundary = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","kms:Decrypt","kms:GenerateDataKey*","logs:*"],"Resource":"*"}]}""", "boundary");
        var keyPolicyDelegating = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Sid":"EnableIam","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}""", "key-policy");
        _layered = new PolicySet
        {
            IdentityPolicies = [identity],
            ResourcePolicy = keyPolicyDelegating,
            PermissionsBoundaries = [boundary],
            ServiceControlPolicies =
            [
                new OrganizationLevel("r-root", [fullAccess]),
                new OrganizationLevel("ou-ab12-34cd5678", [fullAccess, denyRegions]),
                new OrganizationLevel(Account, [fullAccess]),
            ],
        };

        // (c) 100 statements; only the last one matches.
        var statements = Enumerable.Range(0, 99).Select(i =>
            "{\"Sid\":\"S" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"arn:aws:s3:::bucket-" + i
            + "/*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/project\":\"p" + i + "\"}}}")
            .Append("""{"Sid":"Last","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::target-bucket/*"}""");
        _largeIdentity = new PolicySet { IdentityPolicies = [PolicyCompiler.Compile($$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""", "large")] };
        _s3Request = new AuthorizationRequest
        {
            Principal = PrincipalIdentity.Parse("arn:aws:iam::111111111111:user/alice"),
            Action = "s3:GetObject",
            Resource = RequestResource.Create("arn:aws:s3:::target-bucket/reports/2024/q1.csv", AccountId.Parse(Account)),
            Context = RequestContext.From([KeyValuePair.Create("aws:PrincipalTag/project", new ContextValues("p-none"))]),
        };

        // Guard: each benchmark measures the decision it claims to.
        Check(PolicyEvaluator.Evaluate(_keyRequest, _keyPolicyOnly), DecisionLayer.ResourcePolicy);
        Check(PolicyEvaluator.Evaluate(_keyRequest, _layered), DecisionLayer.IdentityPolicy);
        Check(PolicyEvaluator.Evaluate(_s3Request, _largeIdentity), DecisionLayer.IdentityPolicy);
    }

    private static void Check(Decision decision, DecisionLayer layer)
    {
        if (!decision.IsAllowed || decision.Layer != layer)
        {
            throw new InvalidOperationException($"benchmark setup is wrong: {decision}");
        }
    }

    /// <summary>(a) A 9-statement key policy with conditions.</summary>
    [Benchmark(Baseline = true)]
    public Decision KeyPolicy() => PolicyEvaluator.Evaluate(_keyRequest, _keyPolicyOnly);

    /// <summary>(b) SCPs (3 levels) + identity policy + key policy + permissions boundary.</summary>
    [Benchmark]
    public Decision ScpIdentityKeyPolicyBoundary() => PolicyEvaluator.Evaluate(_keyRequest, _layered);

    /// <summary>(c) A 100-statement identity policy, matching statement last.</summary>
    [Benchmark]
    public Decision LargeIdentityPolicy() => PolicyEvaluator.Evaluate(_s3Request, _largeIdentity);
}
