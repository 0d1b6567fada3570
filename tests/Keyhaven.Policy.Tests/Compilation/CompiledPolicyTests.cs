using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Tests.Compilation;

/// <summary>What a compiled policy tells its callers about itself.</summary>
public class CompiledPolicyTests
{
    private static CompiledPolicy P(string condition) => PolicyCompiler.Compile(
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*","Condition":{{condition}}}]}""", "p");

    private static readonly CompiledPolicy Plain = PolicyCompiler.Compile("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""", "plain");

    [Fact]
    public void UsesConditionKey_names_the_keys_of_any_statements_conditions_case_insensitively()
    {
        var policy = P("""{"ForAnyValue:StringLike":{"kms:resourcealiases":"alias/a*"},"StringEquals":{"aws:ResourceTag/team":"x"}}""");
        Assert.True(policy.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(policy.UsesConditionKey("AWS:RESOURCETAG/TEAM"));
        Assert.False(policy.UsesConditionKey("aws:ResourceTag/"));
        Assert.False(Plain.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(policy.WithName("renamed").UsesConditionKey("kms:ResourceAliases"));
    }

    [Fact]
    public void A_policy_set_uses_a_key_when_a_policy_of_any_layer_does()
    {
        var uses = P("""{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/a*"}}""");
        Assert.False(new PolicySet { ResourcePolicy = Plain, IdentityPolicies = [Plain] }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { ResourcePolicy = uses }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { IdentityPolicies = [Plain, uses] }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { PermissionsBoundaries = [uses] }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { SessionPolicy = uses }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { EndpointPolicies = [uses] }.UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { ServiceControlPolicies = [new OrganizationLevel("r-root", [Plain]), new OrganizationLevel("111111111111", [uses])] }
            .UsesConditionKey("kms:ResourceAliases"));
        Assert.True(new PolicySet { ResourceControlPolicies = [new OrganizationLevel("r-root", [uses])] }
            .UsesConditionKey("kms:ResourceAliases"));
    }
}
