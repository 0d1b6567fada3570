using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

public partial class PolicyEvaluatorTests
{
    private static string RoleInA => $"arn:aws:iam::{AccountA}:role/Target";

    // spec: IAM User Guide, policy evaluation logic — role trust policies, like KMS key policies, must allow even within one account.
    [Fact]
    public void A_trust_policy_must_allow_even_when_an_identity_policy_of_the_same_account_does()
    {
        var assume = Request(UserAlice, "sts:TagSession", RoleInA);
        var trust = Statements("trust", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "sts:AssumeRole"));
        var identity = Statements("id", Allow("sts:*"));
        var d = Decide(assume, new PolicySet { ResourcePolicy = trust, ResourcePolicyMustAllow = true, IdentityPolicies = [identity] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourcePolicy), (d.Outcome, d.Layer));

        // Without the rule (an ordinary resource policy), the same-account identity policy alone would allow.
        Assert.True(Decide(assume, new PolicySet { ResourcePolicy = trust, IdentityPolicies = [identity] }).IsAllowed);
    }

    // spec: KMS developer guide, alias access — an alias has no resource policy: identity policies alone decide on it.
    [Fact]
    public void A_kms_alias_is_not_a_key_so_identity_policies_alone_decide()
    {
        var alias = $"arn:aws:kms:us-east-1:{AccountA}:alias/app";
        Assert.False(RequestResource.Create(alias).IsKmsKey);
        Assert.True(RequestResource.Create(KeyA).IsKmsKey);
        Assert.True(Decide(Request(UserAlice, "kms:CreateAlias", alias), new PolicySet { IdentityPolicies = [Statements("id", Allow("kms:CreateAlias"))] }).IsAllowed);
    }
}
