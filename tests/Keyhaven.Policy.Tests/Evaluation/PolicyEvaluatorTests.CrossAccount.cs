using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

public partial class PolicyEvaluatorTests
{
    private const string BucketB = "arn:aws:s3:::bucket-b/data.csv";

    private static AuthorizationRequest CrossGet(string principal = UserAlice) => Request(principal, "s3:GetObject", BucketB, resourceAccount: AccountB);

    // spec: reference_policies_evaluation-logic-cross-account.html — cross-account needs both the identity policy and the resource policy.
    [Fact]
    public void Cross_account_requires_identity_and_resource_allow()
    {
        var id = Statements("id", Allow("s3:GetObject"));
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{AccountA}}"}""", "s3:GetObject"));
        Assert.True(Decide(CrossGet(), new PolicySet { IdentityPolicies = [id], ResourcePolicy = rp }).IsAllowed);

        var noRp = Decide(CrossGet(), new PolicySet { IdentityPolicies = [id] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourcePolicy), (noRp.Outcome, noRp.Layer));

        var noId = Decide(CrossGet(), new PolicySet { ResourcePolicy = rp });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.IdentityPolicy), (noId.Outcome, noId.Layer));
    }

    // spec: reference_policies_evaluation-logic-cross-account.html — naming the user ARN directly still needs the user's own identity allow.
    [Fact]
    public void Cross_account_naming_the_user_still_needs_identity_allow()
    {
        var rp = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "s3:GetObject"));
        Assert.False(Decide(CrossGet(), new PolicySet { ResourcePolicy = rp }).IsAllowed);
        Assert.True(Decide(CrossGet(), new PolicySet { ResourcePolicy = rp, IdentityPolicies = [Statements("id", Allow("s3:*"))] }).IsAllowed);
    }

    // spec: reference_policies_evaluation-logic-cross-account.html — a resource policy naming another account does not let this one in.
    [Fact]
    public void Cross_account_resource_policy_for_a_different_account_does_not_allow()
    {
        var rp = Statements("bucket", AllowPrincipal("""{"AWS":"333333333333"}""", "s3:GetObject"));
        Assert.False(Decide(CrossGet(), new PolicySet { ResourcePolicy = rp, IdentityPolicies = [Statements("id", Allow())] }).IsAllowed);
    }

    // spec: access_policies_boundaries.html — boundaries and session policies limit the caller's side of a cross-account request.
    [Fact]
    public void Cross_account_is_limited_by_boundary_and_session_policy()
    {
        var id = Statements("id", Allow("s3:*"));
        var rp = Statements("bucket", AllowPrincipal("\"*\"", "s3:GetObject", "*", """ "Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}"""));
        Assert.True(Decide(CrossGet(SessionApp), new PolicySet { IdentityPolicies = [id], ResourcePolicy = rp }).IsAllowed);
        Assert.Equal(DecisionLayer.PermissionsBoundary,
            Decide(CrossGet(SessionApp), new PolicySet { IdentityPolicies = [id], ResourcePolicy = rp, PermissionsBoundaries = [Statements("b", Allow("kms:*"))] }).Layer);
        Assert.Equal(DecisionLayer.SessionPolicy,
            Decide(CrossGet(SessionApp), new PolicySet { IdentityPolicies = [id], ResourcePolicy = rp, SessionPolicy = Statements("s", Allow("kms:*")) }).Layer);
    }

    // spec: reference_policies_evaluation-logic-cross-account.html — the root user of another account still needs the resource policy.
    [Fact]
    public void Cross_account_root_needs_resource_policy()
    {
        Assert.False(Decide(CrossGet(RootA), new PolicySet()).IsAllowed);
        Assert.True(Decide(CrossGet(RootA), new PolicySet { ResourcePolicy = Statements("bucket", AllowPrincipal($$"""{"AWS":"{{RootA}}"}""", "s3:GetObject")) }).IsAllowed);
    }
}
