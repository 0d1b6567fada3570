using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Conditions;

public partial class ConditionOperatorTests
{
    // spec: reference_policies_elements_condition.html — a missing key makes a positive condition false.
    [Theory]
    [InlineData("StringEquals", "x")]
    [InlineData("StringLike", "x*")]
    [InlineData("NumericEquals", "1")]
    [InlineData("DateGreaterThan", "2020-01-01")]
    [InlineData("Bool", "true")]
    [InlineData("IpAddress", "10.0.0.0/8")]
    [InlineData("ArnLike", "arn:aws:iam::*:role/*")]
    [InlineData("BinaryEquals", "QQ==")]
    public void Positive_operator_on_missing_key_is_false(string op, string value) =>
        Assert.False(Allows($$"""  "{{op}}":{"missing:key":"{{value}}"}"""));

    // spec: reference_policies_elements_condition.html — negated operators (StringNotEquals, NotIpAddress, ...) are true when the key is missing.
    [Theory]
    [InlineData("StringNotEquals", "x")]
    [InlineData("StringNotEqualsIgnoreCase", "x")]
    [InlineData("StringNotLike", "x*")]
    [InlineData("NumericNotEquals", "1")]
    [InlineData("DateNotEquals", "2020-01-01")]
    [InlineData("NotIpAddress", "10.0.0.0/8")]
    [InlineData("ArnNotEquals", "arn:aws:iam::111111111111:root")]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/*")]
    public void Negated_operator_on_missing_key_is_true(string op, string value) =>
        Assert.True(Allows($$"""  "{{op}}":{"missing:key":"{{value}}"}"""));

    // spec: reference_policies_elements_condition_operators.html#Conditions_IfExists — ...IfExists is true when the key is missing, else evaluates normally.
    [Theory]
    [InlineData("StringEqualsIfExists", "x")]
    [InlineData("NumericLessThanIfExists", "1")]
    [InlineData("DateLessThanIfExists", "2020-01-01")]
    [InlineData("BoolIfExists", "true")]
    [InlineData("IpAddressIfExists", "10.0.0.0/8")]
    [InlineData("ArnLikeIfExists", "arn:aws:iam::*:role/*")]
    [InlineData("StringNotLikeIfExists", "x*")]
    public void IfExists_on_missing_key_is_true(string op, string value) =>
        Assert.True(Allows($$"""  "{{op}}":{"missing:key":"{{value}}"}"""));

    [Fact]
    public void IfExists_on_present_key_evaluates_normally()
    {
        Assert.True(Allows("""  "StringEqualsIfExists":{"k":"x"}""", Ctx("k", "x")));
        Assert.False(Allows("""  "StringEqualsIfExists":{"k":"x"}""", Ctx("k", "y")));
        Assert.False(Allows("""  "StringNotEqualsIfExists":{"k":"x"}""", Ctx("k", "x")));
    }

    // spec: reference_policies_multi-value-conditions.html — ForAllValues: every request value matches; true for a missing key or empty set.
    [Fact]
    public void ForAllValues_semantics()
    {
        const string cond = """  "ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}""";
        Assert.True(Allows(cond, Ctx("aws:TagKeys", "env", "team")));
        Assert.True(Allows(cond, Ctx("aws:TagKeys", "env")));
        Assert.False(Allows(cond, Ctx("aws:TagKeys", "env", "cost")));
        Assert.True(Allows(cond));
        Assert.True(Allows(cond, Ctx("aws:TagKeys", Array.Empty<string>())));
    }

    // spec: reference_policies_multi-value-conditions.html — ForAnyValue: at least one request value matches; false for a missing key or empty set.
    [Fact]
    public void ForAnyValue_semantics()
    {
        const string cond = """  "ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}""";
        Assert.True(Allows(cond, Ctx("aws:TagKeys", "cost", "team")));
        Assert.False(Allows(cond, Ctx("aws:TagKeys", "cost")));
        Assert.False(Allows(cond));
        Assert.False(Allows(cond, Ctx("aws:TagKeys", Array.Empty<string>())));
    }

    // spec: reference_policies_multi-value-conditions.html — negated operators under set qualifiers apply per value.
    [Fact]
    public void Set_qualifiers_with_negated_operators()
    {
        const string all = """  "ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}""";
        Assert.True(Allows(all, Ctx("aws:TagKeys", "env", "team")));
        Assert.False(Allows(all, Ctx("aws:TagKeys", "env", "secret")));
        Assert.True(Allows(all));

        const string any = """  "ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}""";
        Assert.True(Allows(any, Ctx("aws:TagKeys", "env", "secret")));
        Assert.False(Allows(any, Ctx("aws:TagKeys", "secret")));
        Assert.False(Allows(any));
    }

    [Fact]
    public void Set_qualifiers_with_like_and_ifexists()
    {
        Assert.True(Allows("""  "ForAllValues:StringLike":{"aws:TagKeys":"team-*"}""", Ctx("aws:TagKeys", "team-a", "team-b")));
        Assert.False(Allows("""  "ForAllValues:StringLike":{"aws:TagKeys":"team-*"}""", Ctx("aws:TagKeys", "team-a", "x")));
        Assert.True(Allows("""  "ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"x"}"""));
    }

    // spec: reference_policies_multi-value-conditions.html — without a set qualifier a multi-valued key matches when any value matches.
    [Fact]
    public void Multivalued_key_without_qualifier_matches_any_value()
    {
        Assert.True(Allows("""  "StringEquals":{"aws:PrincipalTag/team":"b"}""", Ctx("aws:PrincipalTag/team", "a", "b")));
        Assert.False(Allows("""  "StringNotEquals":{"aws:PrincipalTag/team":"b"}""", Ctx("aws:PrincipalTag/team", "a", "b")));
    }

    // House rule (HOUSE-STYLE.md: "An error while evaluating a Deny denies"): a request value of the wrong type is an evaluation error.
    [Fact]
    public void Evaluation_error_in_deny_statement_denies()
    {
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, WithDeny("""  "NumericGreaterThan":{"k":"5"}""", Ctx("k", "not-a-number")));
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, WithDeny("""  "DateLessThan":{"k":"2020-01-01"}""", Ctx("k", "yesterday")));
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, WithDeny("""  "IpAddress":{"k":"10.0.0.0/8"}""", Ctx("k", "not-an-ip")));
        Assert.Equal(DecisionOutcome.ExplicitlyDenied, WithDeny("""  "Bool":{"k":"true"}""", Ctx("k", "maybe")));
        Assert.Equal(DecisionOutcome.Allowed, WithDeny("""  "NumericGreaterThan":{"k":"5"}""", Ctx("k", "3")));
    }

    [Fact]
    public void Evaluation_error_in_allow_statement_does_not_allow() =>
        Assert.False(Allows("""  "NumericGreaterThan":{"k":"5"}""", Ctx("k", "NaN-ish")));

    [Fact]
    public void A_definitely_false_condition_overrides_an_error_in_the_same_deny() =>
        Assert.Equal(DecisionOutcome.Allowed, WithDeny("""  "NumericGreaterThan":{"k":"5"},"StringEquals":{"j":"x"}""", Ctx("k", "junk"), Ctx("j", "y")));

    // spec: reference_policies_condition-keys.html — aws:PrincipalArn/aws:PrincipalAccount/aws:username are derived from the caller.
    [Fact]
    public void Keys_derived_from_the_request()
    {
        Assert.True(AllowsAs(SessionApp, """  "ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/App"}"""));
        Assert.True(Allows("""  "StringEquals":{"aws:PrincipalAccount":"111111111111","aws:username":"alice","kms:CallerAccount":"111111111111"}"""));
        Assert.True(Allows("""  "StringEquals":{"aws:PrincipalType":"User"}"""));
    }
}
