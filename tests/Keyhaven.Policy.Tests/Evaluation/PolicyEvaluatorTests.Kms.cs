using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

public partial class PolicyEvaluatorTests
{
    private static readonly string EnableIam = AllowPrincipal($$"""{"AWS":"{{RootA}}"}""", "kms:*");

    private static AuthorizationRequest KmsDecrypt(string principal = UserAlice, string key = KeyA, IReadOnlyDictionary<string, string>? ec = null) =>
        Request(principal, "kms:Decrypt", key, encryptionContext: ec);

    // spec: kms/latest/developerguide/key-policies.html — no principal has access to a KMS key unless the key policy allows it.
    [Fact]
    public void Kms_identity_policy_alone_is_not_enough()
    {
        var d = Decide(KmsDecrypt(), new PolicySet { IdentityPolicies = [Statements("id", Allow("kms:*"))], ResourcePolicy = Statements("key", AllowPrincipal($$"""{"AWS":"{{RoleApp}}"}""")) });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourcePolicy), (d.Outcome, d.Layer));
        Assert.False(Decide(KmsDecrypt(), new PolicySet { IdentityPolicies = [Statements("id", Allow("kms:*"))] }).IsAllowed);
    }

    // spec: kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam — allowing the account enables IAM policies.
    [Fact]
    public void Kms_key_policy_allowing_account_enables_iam_policies()
    {
        var key = Statements("key", EnableIam);
        Assert.True(Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = key, IdentityPolicies = [Statements("id", Allow("kms:Decrypt"))] }).IsAllowed);
        var d = Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = key });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.IdentityPolicy), (d.Outcome, d.Layer));
    }

    // spec: kms/latest/developerguide/key-policy-default.html — the account statement only enables IAM for the actions it lists.
    [Fact]
    public void Kms_account_statement_limits_which_actions_iam_can_grant()
    {
        var key = Statements("key", AllowPrincipal($$"""{"AWS":"{{AccountA}}"}""", "kms:Encrypt"));
        Assert.False(Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = key, IdentityPolicies = [Statements("id", Allow("kms:*"))] }).IsAllowed);
    }

    // spec: kms/latest/developerguide/key-policies.html — a key policy naming the principal allows without an IAM policy (same account).
    [Fact]
    public void Kms_key_policy_naming_principal_allows_directly()
    {
        var key = Statements("key", EnableIam, """{"Sid":"AppUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}""");
        var d = Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = key });
        Assert.Equal((DecisionOutcome.Allowed, DecisionLayer.ResourcePolicy, "AppUse"), (d.Outcome, d.Layer, d.Statement!.Value.Sid));
    }

    // spec: kms/latest/developerguide/key-policy-modifying-external-accounts.html — cross-account: key policy allows the account and the external IAM policy allows.
    [Fact]
    public void Kms_cross_account_needs_key_policy_and_external_iam_policy()
    {
        var keyB = Statements("key-b", AllowPrincipal("""{"AWS":"arn:aws:iam::222222222222:root"}""", "kms:*"),
            AllowPrincipal($$"""{"AWS":"{{AccountA}}"}""", "kms:Decrypt"));
        var id = Statements("id", Allow("kms:Decrypt", KeyB));
        Assert.True(Decide(KmsDecrypt(key: KeyB), new PolicySet { ResourcePolicy = keyB, IdentityPolicies = [id] }).IsAllowed);
        Assert.Equal(DecisionLayer.IdentityPolicy, Decide(KmsDecrypt(key: KeyB), new PolicySet { ResourcePolicy = keyB }).Layer);
        var keyWithoutA = Statements("key-b", AllowPrincipal("""{"AWS":"arn:aws:iam::222222222222:root"}""", "kms:*"));
        Assert.Equal(DecisionLayer.ResourcePolicy, Decide(KmsDecrypt(key: KeyB), new PolicySet { ResourcePolicy = keyWithoutA, IdentityPolicies = [id] }).Layer);
    }

    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context — key policy conditions on the encryption context.
    [Fact]
    public void Kms_encryption_context_condition_in_key_policy()
    {
        var key = Statements("key", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "kms:Decrypt", "*", """ "Condition":{"StringEquals":{"kms:EncryptionContext:dept":"hr"}}"""));
        var ok = Request(UserAlice, "kms:Decrypt", KeyA, [Ctx("kms:EncryptionContext:dept", "hr")]);
        var bad = Request(UserAlice, "kms:Decrypt", KeyA, [Ctx("kms:EncryptionContext:dept", "it")]);
        Assert.True(Decide(ok, new PolicySet { ResourcePolicy = key }).IsAllowed);
        Assert.False(Decide(bad, new PolicySet { ResourcePolicy = key }).IsAllowed);
    }

    // spec: kms/latest/developerguide/grants.html — a grant allows its grantee the listed operations, without key-policy or IAM allow.
    [Fact]
    public void Kms_grant_is_an_additional_allow_path()
    {
        var key = Statements("key", EnableIam);
        var grant = new KmsGrant("g-1", KeyA, RoleApp, ["Decrypt", "GenerateDataKey"]);
        var d = Decide(KmsDecrypt(SessionApp), new PolicySet { ResourcePolicy = key, Grants = [grant] });
        Assert.Equal((DecisionOutcome.Allowed, DecisionLayer.Grant, "g-1"), (d.Outcome, d.Layer, d.Statement!.Value.PolicyName));
        Assert.False(Decide(Request(SessionApp, "kms:Encrypt", KeyA), new PolicySet { ResourcePolicy = key, Grants = [grant] }).IsAllowed);
        Assert.False(Decide(KmsDecrypt(UserAlice), new PolicySet { ResourcePolicy = key, Grants = [grant] }).IsAllowed);
        Assert.False(Decide(KmsDecrypt(SessionApp, KeyB), new PolicySet { ResourcePolicy = key, Grants = [grant] }).IsAllowed);
    }

    // spec: kms/latest/developerguide/grants.html#grant-constraints — EncryptionContextEquals requires an exact match; EncryptionContextSubset a superset.
    [Fact]
    public void Kms_grant_constraints()
    {
        var key = Statements("key", EnableIam);
        var eq = new KmsGrant("eq", KeyA, UserAlice, ["Decrypt"], new GrantConstraints(EncryptionContextEquals: new Dictionary<string, string> { ["dept"] = "hr" }));
        var sub = new KmsGrant("sub", KeyA, UserAlice, ["Decrypt"], new GrantConstraints(EncryptionContextSubset: new Dictionary<string, string> { ["dept"] = "hr" }));
        var exact = new Dictionary<string, string> { ["dept"] = "hr" };
        var more = new Dictionary<string, string> { ["dept"] = "hr", ["app"] = "x" };
        var other = new Dictionary<string, string> { ["dept"] = "HR" };
        Assert.True(Decide(KmsDecrypt(ec: exact), new PolicySet { ResourcePolicy = key, Grants = [eq] }).IsAllowed);
        Assert.False(Decide(KmsDecrypt(ec: more), new PolicySet { ResourcePolicy = key, Grants = [eq] }).IsAllowed);
        Assert.True(Decide(KmsDecrypt(ec: more), new PolicySet { ResourcePolicy = key, Grants = [sub] }).IsAllowed);
        Assert.False(Decide(KmsDecrypt(ec: other), new PolicySet { ResourcePolicy = key, Grants = [sub] }).IsAllowed);
        Assert.False(Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = key, Grants = [sub] }).IsAllowed);
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — an explicit deny overrides any allow, grants included.
    [Fact]
    public void Kms_explicit_deny_and_scp_override_grants()
    {
        var grant = new KmsGrant("g-1", KeyA, UserAlice, ["Decrypt"]);
        var keyDeny = Statements("key", EnableIam, DenyPrincipal("\"*\"", "kms:Decrypt"));
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = keyDeny, Grants = [grant] }).Outcome);
        var scpMissing = Decide(KmsDecrypt(), new PolicySet { ResourcePolicy = Statements("key", EnableIam), Grants = [grant], ServiceControlPolicies = [new("r-root", [Statements("s3", Allow("s3:*"))])] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ServiceControlPolicy), (scpMissing.Outcome, scpMissing.Layer));
    }

    // spec: kms/latest/developerguide/key-policies.html — "Principal":"*" with kms:CallerAccount limits use to one account.
    [Fact]
    public void Kms_star_principal_with_caller_account_condition()
    {
        var key = Statements("key", AllowPrincipal("\"*\"", "kms:Decrypt", "*", """ "Condition":{"StringEquals":{"kms:CallerAccount":"111111111111","kms:ViaService":"s3.us-east-1.amazonaws.com"}}"""));
        Assert.True(Decide(Request(UserAlice, "kms:Decrypt", KeyA, [Ctx("kms:ViaService", "s3.us-east-1.amazonaws.com")]), new PolicySet { ResourcePolicy = key }).IsAllowed);
        Assert.False(Decide(Request(UserAlice, "kms:Decrypt", KeyA), new PolicySet { ResourcePolicy = key }).IsAllowed);
    }

    // Explain lists every statement with its outcome and the same decision as Evaluate.
    [Fact]
    public void Explain_lists_statements_and_agrees_with_Evaluate()
    {
        var set = new PolicySet
        {
            ResourcePolicy = Statements("key", EnableIam, """{"Sid":"NoEncrypt","Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"""),
            IdentityPolicies = [Statements("id", """{"Sid":"Use","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}""")],
            ServiceControlPolicies = [new("r-root", [FullAccess])],
        };
        var request = KmsDecrypt();
        var explanation = PolicyEvaluator.Explain(request, set);
        Assert.Equal(PolicyEvaluator.Evaluate(request, set), explanation.Decision);
        Assert.Equal(4, explanation.Statements.Count);
        Assert.Contains(explanation.Statements, s => s.Statement.Sid == "Use" && s.Outcome == StatementOutcome.Matched);
        Assert.Contains(explanation.Statements, s => s.Statement.Sid == "NoEncrypt" && s.Outcome == StatementOutcome.NotMatched);
        Assert.Contains(explanation.Statements, s => s.Layer == DecisionLayer.ServiceControlPolicy && s.Statement.OrgIdentifier == "r-root");
        Assert.StartsWith($"User: {UserAlice} is authorized", explanation.Message);
    }
}
