using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Conditions;

/// <summary>Policy variables in Resource and in string/ARN condition values.</summary>
public class PolicyVariableTests
{
    private static bool AllowsResource(string version, string resourcePattern, string resource, params KeyValuePair<string, Context.ContextValues>[] ctx)
    {
        var policy = CompileJson($$"""{"Version":"{{version}}","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"{{resourcePattern}}"}]}""");
        return Decide(Request(UserAlice, "s3:GetObject", resource, ctx, resourceAccount: AccountA), new PolicySet { IdentityPolicies = [policy] }).IsAllowed;
    }

    // spec: reference_policies_variables.html — ${aws:username} is replaced by the caller's user name in the Resource element.
    [Fact]
    public void Username_variable_in_resource()
    {
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/file"));
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/file"));
    }

    // spec: reference_policies_variables.html#policy-vars-wheretouse — variables are only recognised with Version 2012-10-17.
    [Fact]
    public void Variables_are_literal_in_version_2008()
    {
        Assert.False(AllowsResource("2008-10-17", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/file"));
        Assert.True(AllowsResource("2008-10-17", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/file"));
    }

    // spec: reference_policies_variables.html — tag variables, with a case-insensitive tag key.
    [Fact]
    public void Principal_tag_variable()
    {
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/Team}/*", "arn:aws:s3:::team-red/x", Ctx("aws:principaltag/team", "red")));
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/Team}/*", "arn:aws:s3:::team-blue/x", Ctx("aws:principaltag/team", "red")));
    }

    // spec: reference_policies_variables.html#policy-vars-default-values — ${key, 'default'} is used when the key is missing.
    [Fact]
    public void Default_value_is_used_when_key_missing()
    {
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::team-shared/x"));
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::team-red/x", Ctx("aws:PrincipalTag/team", "red")));
    }

    // spec: reference_policies_variables.html — an unresolved variable without default makes the statement not match (for Allow and Deny).
    [Fact]
    public void Unresolved_variable_makes_statement_not_match()
    {
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team}/*", "arn:aws:s3:::team-/x"));
        var set = new PolicySet
        {
            IdentityPolicies = [Statements("p", Allow(), Deny("*", "*", """ "Condition":{"StringEquals":{"aws:RequestTag/x":"${aws:PrincipalTag/missing}"}}"""))],
        };
        Assert.True(Decide(Request(UserAlice, "s3:GetObject", BucketObjectA, [Ctx("aws:RequestTag/x", "")], resourceAccount: AccountA), set).IsAllowed);
    }

    // spec: reference_policies_variables.html#policy-vars-specialchars — ${*} ${?} ${$} are literal characters.
    [Fact]
    public void Escapes_are_literal_characters()
    {
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::b/a${*}b${?}c${$}", "arn:aws:s3:::b/a*b?c$"));
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::b/a${*}b", "arn:aws:s3:::b/axxb"));
    }

    // spec: reference_policies_variables.html — substituted values are literal: a * in a tag value is not a wildcard.
    [Fact]
    public void Substituted_values_are_not_wildcards()
    {
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team}/x", "arn:aws:s3:::team-red/x", Ctx("aws:PrincipalTag/team", "*")));
        Assert.True(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team}/x", "arn:aws:s3:::team-*/x", Ctx("aws:PrincipalTag/team", "*")));
    }

    // spec: reference_policies_variables.html — variables in StringLike condition values; the rest of the pattern keeps its wildcards.
    [Fact]
    public void Variable_in_condition_value()
    {
        Assert.True(ConditionOperatorTests.Allows("""  "StringLike":{"s3:prefix":"home/${aws:username}/*"}""", Ctx("s3:prefix", "home/alice/docs")));
        Assert.False(ConditionOperatorTests.Allows("""  "StringLike":{"s3:prefix":"home/${aws:username}/*"}""", Ctx("s3:prefix", "home/bob/docs")));
        Assert.True(ConditionOperatorTests.Allows("""  "StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}""", Ctx("aws:ResourceTag/owner", "alice")));
    }

    [Fact]
    public void Multivalued_key_as_variable_is_unresolved() =>
        Assert.False(AllowsResource("2012-10-17", "arn:aws:s3:::team-${aws:PrincipalTag/team}/*", "arn:aws:s3:::team-a/x", Ctx("aws:PrincipalTag/team", "a", "b")));

    // docs/policy-engine.md#policy-variables: a variable without a value makes the whole statement not apply, whatever its
    // effect; which entry of the list holds it, and whether an entry before it matched, does not change that.
    [Theory]
    [InlineData("""["arn:aws:kms:*:*:key/*","arn:aws:kms:*:*:key/${aws:PrincipalTag/team}"]""")]
    [InlineData("""["arn:aws:kms:*:*:key/${aws:PrincipalTag/team}","arn:aws:kms:*:*:key/*"]""")]
    public void An_unresolved_variable_in_any_Resource_entry_makes_the_Deny_not_apply_in_either_order(string resources)
    {
        var policy = CompileJson($$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Action":"kms:Decrypt","Resource":{{resources}}}]}
            """);
        var request = Request(UserAlice, "kms:Decrypt", KeyA, resourceAccount: AccountA);
        var set = new PolicySet { IdentityPolicies = [policy], ResourcePolicy = EnableIamKeyPolicy };
        Assert.True(Decide(request, set).IsAllowed);
        Assert.Contains(PolicyEvaluator.Explain(request, set).Statements, s => s.Effect == Keyhaven.Policy.Documents.PolicyEffect.Deny && s.Outcome == StatementOutcome.UnresolvedVariable);
    }

    [Theory]
    [InlineData("""["red","${aws:PrincipalTag/team}"]""")]
    [InlineData("""["${aws:PrincipalTag/team}","red"]""")]
    public void An_unresolved_variable_in_any_condition_value_makes_the_Deny_not_apply_in_either_order(string values)
    {
        var set = new PolicySet
        {
            IdentityPolicies = [Statements("p", Allow("kms:*"), Deny("kms:Decrypt", "*", $$$""" "Condition":{"StringEquals":{"aws:ResourceTag/team":{{{values}}}}}"""))],
            ResourcePolicy = EnableIamKeyPolicy,
        };
        Assert.True(Decide(Request(UserAlice, "kms:Decrypt", KeyA, [Ctx("aws:ResourceTag/team", "red")], resourceAccount: AccountA), set).IsAllowed);
    }
}
