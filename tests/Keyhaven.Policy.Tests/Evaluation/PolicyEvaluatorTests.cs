using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

/// <summary>The evaluation logic, layer by layer, for non-KMS resources in one account.</summary>
public partial class PolicyEvaluatorTests
{
    private static readonly string S3Object = BucketObjectA;

    private static AuthorizationRequest S3Get(string principal = UserAlice) => Request(principal, "s3:GetObject", S3Object, resourceAccount: AccountA);

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — by default all requests are implicitly denied.
    [Fact]
    public void No_policies_means_implicit_deny()
    {
        var d = Decide(S3Get(), new PolicySet());
        Assert.Equal(DecisionOutcome.ImplicitlyDenied, d.Outcome);
        Assert.Equal(DecisionLayer.IdentityPolicy, d.Layer);
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — an identity-based allow is enough in one account.
    [Fact]
    public void Identity_allow_allows()
    {
        var d = Decide(S3Get(), new PolicySet { IdentityPolicies = [Statements("inline", """{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a/*"}""")] });
        Assert.Equal(DecisionOutcome.Allowed, d.Outcome);
        Assert.Equal(DecisionLayer.IdentityPolicy, d.Layer);
        Assert.Equal("inline", d.Statement!.Value.PolicyName);
        Assert.Equal("Read", d.Statement!.Value.Sid);
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — an explicit deny in any policy overrides any allow.
    [Fact]
    public void Explicit_deny_overrides_allow_in_every_layer()
    {
        var allowAll = Statements("allow", Allow());
        var deny = Statements("deny", """{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}""");
        var denyR = Statements("deny-r", DenyPrincipal("\"*\"", "s3:*"));
        var allowR = Statements("allow-r", AllowPrincipal("\"*\""));
        var root = new OrganizationLevel("r-root", [allowAll]);
        var cases = new (PolicySet Set, DecisionLayer Layer)[]
        {
            (new PolicySet { IdentityPolicies = [allowAll, deny] }, DecisionLayer.IdentityPolicy),
            (new PolicySet { IdentityPolicies = [allowAll], ResourcePolicy = denyR }, DecisionLayer.ResourcePolicy),
            (new PolicySet { IdentityPolicies = [allowAll], PermissionsBoundaries = [deny] }, DecisionLayer.PermissionsBoundary),
            (new PolicySet { IdentityPolicies = [allowAll], SessionPolicy = deny }, DecisionLayer.SessionPolicy),
            (new PolicySet { IdentityPolicies = [allowAll], ServiceControlPolicies = [root, new("111111111111", [allowAll, deny])] }, DecisionLayer.ServiceControlPolicy),
            (new PolicySet { IdentityPolicies = [allowAll], ResourceControlPolicies = [new("r-root", [allowR, denyR])] }, DecisionLayer.ResourceControlPolicy),
            (new PolicySet { IdentityPolicies = [allowAll], EndpointPolicies = [denyR] }, DecisionLayer.VpcEndpointPolicy),
        };
        foreach (var (set, layer) in cases)
        {
            var d = Decide(S3Get(), set);
            Assert.Equal(DecisionOutcome.ExplicitlyDenied, d.Outcome);
            Assert.Equal(layer, d.Layer);
        }
    }

    // spec: reference_policies_evaluation-logic_policy-eval-basics.html — same account: the resource policy allowing an IAM user ARN suffices.
    [Fact]
    public void Same_account_resource_policy_naming_user_allows_without_identity_policy()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "s3:GetObject"));
        var d = Decide(S3Get(), new PolicySet { ResourcePolicy = rp });
        Assert.Equal(DecisionOutcome.Allowed, d.Outcome);
        Assert.Equal(DecisionLayer.ResourcePolicy, d.Layer);
    }

    // spec: access_policies_boundaries.html#access_policies_boundaries-eval-logic — resource policy naming the IAM user ARN is not limited by an implicit deny in the boundary.
    [Fact]
    public void Resource_policy_naming_user_is_not_limited_by_boundary_or_session_policy()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "s3:GetObject"));
        var boundary = Statements("boundary", Allow("kms:*"));
        Assert.True(Decide(S3Get(), new PolicySet { ResourcePolicy = rp, PermissionsBoundaries = [boundary] }).IsAllowed);
    }

    // spec: access_policies_boundaries.html — a resource policy naming the role ARN is limited by the role session's boundary.
    [Fact]
    public void Resource_policy_naming_role_arn_is_limited_by_boundary_and_session_policy()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{RoleApp}}"}""", "s3:GetObject"));
        var narrow = Statements("narrow", Allow("kms:*"));
        Assert.True(Decide(S3Get(SessionApp), new PolicySet { ResourcePolicy = rp }).IsAllowed);
        var b = Decide(S3Get(SessionApp), new PolicySet { ResourcePolicy = rp, PermissionsBoundaries = [narrow] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.PermissionsBoundary), (b.Outcome, b.Layer));
        var s = Decide(S3Get(SessionApp), new PolicySet { ResourcePolicy = rp, SessionPolicy = narrow });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.SessionPolicy), (s.Outcome, s.Layer));
    }

    // spec: access_policies_session.html — a resource policy naming the role-session ARN grants to the session directly: not limited by the session policy.
    [Fact]
    public void Resource_policy_naming_session_arn_is_not_limited_by_session_policy()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{SessionApp}}"}""", "s3:GetObject"));
        var narrow = Statements("narrow", Allow("kms:*"));
        Assert.True(Decide(S3Get(SessionApp), new PolicySet { ResourcePolicy = rp, SessionPolicy = narrow, PermissionsBoundaries = [narrow] }).IsAllowed);
    }

    // spec: reference_policies_elements_principal.html#principal-accounts — naming the account delegates to the account's IAM policies.
    [Fact]
    public void Resource_policy_naming_own_account_needs_identity_allow()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{AccountA}}"}""", "s3:GetObject"));
        var d = Decide(S3Get(), new PolicySet { ResourcePolicy = rp });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.IdentityPolicy), (d.Outcome, d.Layer));
        Assert.True(Decide(S3Get(), new PolicySet { ResourcePolicy = rp, IdentityPolicies = [Statements("id", Allow("s3:GetObject"))] }).IsAllowed);
    }

    // spec: access_policies_boundaries.html — the effective identity permissions are the intersection of identity policy and boundary.
    [Fact]
    public void Boundary_must_also_allow_the_identity_path()
    {
        var id = Statements("id", Allow("s3:*"));
        Assert.True(Decide(S3Get(), new PolicySet { IdentityPolicies = [id], PermissionsBoundaries = [Statements("b", Allow("s3:Get*"))] }).IsAllowed);
        var d = Decide(S3Get(), new PolicySet { IdentityPolicies = [id], PermissionsBoundaries = [Statements("b", Allow("s3:Put*"))] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.PermissionsBoundary), (d.Outcome, d.Layer));
        Assert.Equal("b", d.Statement!.Value.PolicyName);
    }

    // spec: access_policies_boundaries.html — a boundary alone grants nothing.
    [Fact]
    public void Boundary_alone_grants_nothing() =>
        Assert.False(Decide(S3Get(), new PolicySet { PermissionsBoundaries = [Statements("b", Allow())] }).IsAllowed);

    // spec: access_policies_session.html — session permissions are the intersection of identity policy and session policy.
    [Fact]
    public void Session_policy_must_also_allow()
    {
        var id = Statements("id", Allow("s3:*"));
        Assert.True(Decide(S3Get(SessionApp), new PolicySet { IdentityPolicies = [id], SessionPolicy = Statements("s", Allow("s3:GetObject")) }).IsAllowed);
        var d = Decide(S3Get(SessionApp), new PolicySet { IdentityPolicies = [id], SessionPolicy = Statements("s", Allow("s3:PutObject")) });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.SessionPolicy), (d.Outcome, d.Layer));
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — the root user has full access in its account unless denied.
    [Fact]
    public void Account_root_is_implicitly_allowed_in_own_account()
    {
        var d = Decide(S3Get(RootA), new PolicySet());
        Assert.Equal((DecisionOutcome.Allowed, DecisionLayer.AccountRoot), (d.Outcome, d.Layer));
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, Decide(S3Get(RootA), new PolicySet { ResourcePolicy = Statements("r", DenyPrincipal("\"*\"")) }).Outcome);
    }

    // spec: reference_policies_elements_notprincipal.html — Deny with NotPrincipal denies everyone except the listed principals.
    [Fact]
    public void Deny_with_NotPrincipal_exempts_listed_principals()
    {
        var rp = Statements("bucket", AllowPrincipal("\"*\"", "s3:GetObject"),
            $$"""{"Effect":"Deny","NotPrincipal":{"AWS":["{{UserAlice}}","{{RootA}}"]},"Action":"s3:*","Resource":"*"}""");
        Assert.True(Decide(S3Get(UserAlice), new PolicySet { ResourcePolicy = rp }).IsAllowed);
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, Decide(S3Get("arn:aws:iam::111111111111:user/bob"), new PolicySet { ResourcePolicy = rp }).Outcome);
    }

    // spec: reference_policies_elements_principal.html#principal-anonymous — "*" includes anonymous callers; only a resource policy can allow them.
    [Fact]
    public void Anonymous_and_service_principals_need_a_resource_policy()
    {
        var anonymous = new AuthorizationRequest { Principal = PrincipalIdentity.Anonymous, Action = "s3:GetObject", Resource = RequestResource.Create(S3Object, Arns.AccountId.Parse(AccountA)) };
        Assert.False(Decide(anonymous, new PolicySet { IdentityPolicies = [Statements("id", Allow())] }).IsAllowed);
        Assert.True(Decide(anonymous, new PolicySet { ResourcePolicy = Statements("r", AllowPrincipal("\"*\"", "s3:GetObject")) }).IsAllowed);

        var service = new AuthorizationRequest { Principal = PrincipalIdentity.ForService("logs.amazonaws.com"), Action = "s3:GetObject", Resource = RequestResource.Create(S3Object, Arns.AccountId.Parse(AccountA)) };
        Assert.True(Decide(service, new PolicySet { ResourcePolicy = Statements("r", AllowPrincipal("""{"Service":"logs.amazonaws.com"}""", "s3:GetObject")) }).IsAllowed);
        Assert.False(Decide(service, new PolicySet { ResourcePolicy = Statements("r", AllowPrincipal("""{"Service":"events.amazonaws.com"}""", "s3:GetObject")) }).IsAllowed);
        Assert.False(Decide(service, new PolicySet { ResourcePolicy = Statements("r", AllowPrincipal($$"""{"AWS":"{{AccountA}}"}""", "s3:GetObject")) }).IsAllowed);
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — message formats.
    [Fact]
    public void Messages_follow_the_AWS_format()
    {
        var r = Request(UserAlice, "kms:Decrypt", KeyA);
        var implicitDeny = Decide(r, new PolicySet { ResourcePolicy = Statements("key", AllowPrincipal("\"*\"", "kms:Encrypt")) });
        Assert.Equal($"User: {UserAlice} is not authorized to perform: kms:Decrypt on resource: {KeyA} because no resource-based policy allows the kms:Decrypt action",
            implicitDeny.FormatMessage(r));
        var scpDeny = Decide(r, new PolicySet { ServiceControlPolicies = [new("r-root", [Statements("scp", Deny("kms:*"))])] });
        Assert.Equal($"User: {UserAlice} is not authorized to perform: kms:Decrypt on resource: {KeyA} with an explicit deny in a service control policy",
            scpDeny.FormatMessage(r));
    }
}
