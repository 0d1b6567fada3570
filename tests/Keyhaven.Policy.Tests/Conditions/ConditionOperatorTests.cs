using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Conditions;

/// <summary>Every condition operator, through an identity-policy Allow statement carrying the condition.</summary>
public partial class ConditionOperatorTests
{
    /// <summary>Does an Allow statement with <paramref name="condition"/> (the JSON inside "Condition") allow?</summary>
    internal static bool Allows(string condition, params KeyValuePair<string, ContextValues>[] context) =>
        AllowsAs(UserAlice, condition, context);

    internal static bool AllowsAs(string principal, string condition, params KeyValuePair<string, ContextValues>[] context)
    {
        var set = new PolicySet { IdentityPolicies = [Statements("p", Allow("kms:Decrypt", "*", $$"""  "Condition":{{{condition}}}"""))], ResourcePolicy = EnableIamKeyPolicy };
        return Decide(Request(principal, "kms:Decrypt", KeyA, context), set).IsAllowed;
    }

    /// <summary>Outcome of Allow * plus a Deny statement with <paramref name="condition"/>.</summary>
    internal static DecisionOutcome WithDeny(string condition, params KeyValuePair<string, ContextValues>[] context)
    {
        var set = new PolicySet { IdentityPolicies = [Statements("p", Allow(), Deny("*", "*", $$"""  "Condition":{{{condition}}}"""))], ResourcePolicy = EnableIamKeyPolicy };
        return Decide(Request(UserAlice, "kms:Decrypt", KeyA, context), set).Outcome;
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — StringEquals is exact and case-sensitive.
    [Theory]
    [InlineData("hr", true)]
    [InlineData("HR", false)]
    [InlineData("h*", false)]
    public void StringEquals_is_exact_and_case_sensitive(string value, bool expected) =>
        Assert.Equal(expected, Allows("""  "StringEquals":{"aws:PrincipalTag/dept":"hr"}""", Ctx("aws:PrincipalTag/dept", value)));

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — a * in StringEquals is a literal character.
    [Fact]
    public void StringEquals_treats_star_literally()
    {
        Assert.False(Allows("""  "StringEquals":{"k":"a*"}""", Ctx("k", "abc")));
        Assert.True(Allows("""  "StringEquals":{"k":"a*"}""", Ctx("k", "a*")));
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — StringNotEquals is the negation; multiple values are ORed then negated.
    [Theory]
    [InlineData("hr", false)]
    [InlineData("it", false)]
    [InlineData("ops", true)]
    public void StringNotEquals_requires_no_value_to_match(string value, bool expected) =>
        Assert.Equal(expected, Allows("""  "StringNotEquals":{"k":["hr","it"]}""", Ctx("k", value)));

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — IgnoreCase variants compare case-insensitively.
    [Fact]
    public void StringEqualsIgnoreCase_and_negation()
    {
        Assert.True(Allows("""  "StringEqualsIgnoreCase":{"k":"Hr"}""", Ctx("k", "hR")));
        Assert.False(Allows("""  "StringEqualsIgnoreCase":{"k":"Hr"}""", Ctx("k", "hrx")));
        Assert.False(Allows("""  "StringNotEqualsIgnoreCase":{"k":"Hr"}""", Ctx("k", "HR")));
        Assert.True(Allows("""  "StringNotEqualsIgnoreCase":{"k":"Hr"}""", Ctx("k", "it")));
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — StringLike supports * and ? and is case-sensitive.
    [Theory]
    [InlineData("prod-app-1", true)]
    [InlineData("prod-", true)]
    [InlineData("Prod-app", false)]
    [InlineData("dev-app", false)]
    public void StringLike_supports_wildcards(string value, bool expected) =>
        Assert.Equal(expected, Allows("""  "StringLike":{"k":"prod-*"}""", Ctx("k", value)));

    [Fact]
    public void StringLike_question_mark_matches_exactly_one_character()
    {
        Assert.True(Allows("""  "StringLike":{"k":"v?"}""", Ctx("k", "v1")));
        Assert.False(Allows("""  "StringLike":{"k":"v?"}""", Ctx("k", "v12")));
        Assert.False(Allows("""  "StringLike":{"k":"v?"}""", Ctx("k", "v")));
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_String — StringNotLike negates StringLike.
    [Fact]
    public void StringNotLike_negates_wildcard_match()
    {
        Assert.False(Allows("""  "StringNotLike":{"k":"prod-*"}""", Ctx("k", "prod-x")));
        Assert.True(Allows("""  "StringNotLike":{"k":"prod-*"}""", Ctx("k", "dev-x")));
    }

    // spec: reference_policies_elements_condition.html — condition key names are case-insensitive (including tag keys).
    [Fact]
    public void Condition_key_names_are_case_insensitive()
    {
        Assert.True(Allows("""  "StringEquals":{"AWS:PRINCIPALTAG/Team":"a"}""", Ctx("aws:PrincipalTag/team", "a")));
        Assert.True(Allows("""  "StringEquals":{"kms:encryptioncontext:Dept":"hr"}""", Ctx("kms:EncryptionContext:dept", "hr")));
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_Numeric — the six numeric operators.
    [Theory]
    [InlineData("NumericEquals", "10", true)]
    [InlineData("NumericEquals", "10.0", true)]
    [InlineData("NumericEquals", "11", false)]
    [InlineData("NumericNotEquals", "11", true)]
    [InlineData("NumericNotEquals", "10", false)]
    [InlineData("NumericLessThan", "9", true)]
    [InlineData("NumericLessThan", "10", false)]
    [InlineData("NumericLessThanEquals", "10", true)]
    [InlineData("NumericLessThanEquals", "10.5", false)]
    [InlineData("NumericGreaterThan", "10.5", true)]
    [InlineData("NumericGreaterThan", "10", false)]
    [InlineData("NumericGreaterThanEquals", "10", true)]
    [InlineData("NumericGreaterThanEquals", "-3", false)]
    public void Numeric_operators(string op, string value, bool expected) =>
        Assert.Equal(expected, Allows($$"""  "{{op}}":{"k":"10"}""", Ctx("k", value)));

    // spec: reference_policies_elements_condition_operators.html#Conditions_Numeric — policy values may be JSON numbers.
    [Fact]
    public void Numeric_policy_values_may_be_json_numbers() =>
        Assert.True(Allows("""  "NumericLessThanEquals":{"aws:MultiFactorAuthAge":3600}""", Ctx("aws:MultiFactorAuthAge", "120")));

    // spec: reference_policies_elements_condition_operators.html#Conditions_Date — the six date operators, ISO 8601 and epoch.
    [Theory]
    [InlineData("DateEquals", "2024-06-01T00:00:00Z", true)]
    [InlineData("DateEquals", "1717200000", true)]
    [InlineData("DateNotEquals", "2024-06-01T00:00:01Z", true)]
    [InlineData("DateNotEquals", "2024-06-01", false)]
    [InlineData("DateLessThan", "2024-05-31T23:59:59Z", true)]
    [InlineData("DateLessThan", "2024-06-01T00:00:00Z", false)]
    [InlineData("DateLessThanEquals", "2024-06-01T02:00:00+02:00", true)]
    [InlineData("DateGreaterThan", "2024-06-01T00:00:00.001Z", true)]
    [InlineData("DateGreaterThan", "1717199999", false)]
    [InlineData("DateGreaterThanEquals", "2024-06-01T00:00:00Z", true)]
    public void Date_operators(string op, string value, bool expected) =>
        Assert.Equal(expected, Allows($$"""  "{{op}}":{"aws:CurrentTime":"2024-06-01T00:00:00Z"}""", Ctx("aws:CurrentTime", value)));

    [Fact]
    public void Date_policy_value_may_be_epoch_seconds() =>
        Assert.True(Allows("""  "DateLessThan":{"aws:EpochTime":"1717200000"}""", Ctx("aws:EpochTime", "2024-05-01T00:00:00Z")));

    // spec: reference_policies_elements_condition_operators.html#Conditions_Boolean
    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    public void Bool_operator(string value, bool expected) =>
        Assert.Equal(expected, Allows("""  "Bool":{"aws:SecureTransport":"true"}""", Ctx("aws:SecureTransport", value)));

    [Fact]
    public void Bool_accepts_json_boolean_policy_values() =>
        Assert.True(Allows("""  "Bool":{"aws:SecureTransport":true}""", Ctx("aws:SecureTransport", "true")));

    // spec: reference_policies_elements_condition_operators.html#Conditions_BinaryEquals — compares base64 values.
    [Fact]
    public void BinaryEquals_compares_base64_values()
    {
        Assert.True(Allows("""  "BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}""", Ctx("k", "QmluYXJ5VmFsdWU=")));
        Assert.False(Allows("""  "BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}""", Ctx("k", "T3RoZXI=")));
    }

    // spec: reference_policies_elements_condition_operators.html#Conditions_IPAddress — IPv4 and IPv6 CIDR; a single address is /32 or /128.
    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.114.7", false)]
    [InlineData("2001:db8:1234::1", true)]
    [InlineData("2001:db9::1", false)]
    [InlineData("198.51.100.1", true)]
    [InlineData("198.51.100.2", false)]
    public void IpAddress_operator(string ip, bool expected) =>
        Assert.Equal(expected, Allows("""  "IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32","198.51.100.1"]}""", Ctx("aws:SourceIp", ip)));

    [Fact]
    public void NotIpAddress_operator()
    {
        Assert.False(Allows("""  "NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}""", Ctx("aws:SourceIp", "10.1.2.3")));
        Assert.True(Allows("""  "NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}""", Ctx("aws:SourceIp", "192.168.1.1")));
    }

    [Fact]
    public void Cidr_with_host_bits_is_masked() =>
        Assert.True(Allows("""  "IpAddress":{"aws:SourceIp":"10.1.2.3/8"}""", Ctx("aws:SourceIp", "10.200.0.1")));

    // spec: reference_policies_elements_condition_operators.html#Conditions_ARN — ArnEquals and ArnLike both match segment-wise with wildcards.
    [Theory]
    [InlineData("ArnEquals", "arn:aws:iam::111111111111:role/App", true)]
    [InlineData("ArnLike", "arn:aws:iam::111111111111:role/App", true)]
    [InlineData("ArnLike", "arn:aws:iam::111111111111:role/Other", false)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111111111111:role/App", false)]
    [InlineData("ArnNotLike", "arn:aws:iam::111111111111:role/Other", true)]
    [InlineData("ArnLike", "arn:aws:iam::222222222222:role/App", false)]
    public void Arn_operators(string op, string value, bool expected) =>
        Assert.Equal(expected, Allows($$"""  "{{op}}":{"aws:SourceArn":"arn:aws:iam::111111111111:role/A*"}""", Ctx("aws:SourceArn", value)));

    // spec: reference_policies_elements_condition_operators.html#Conditions_Null — true: key absent; false: key present.
    [Fact]
    public void Null_operator()
    {
        Assert.True(Allows("""  "Null":{"aws:TokenIssueTime":"true"}"""));
        Assert.False(Allows("""  "Null":{"aws:TokenIssueTime":"true"}""", Ctx("aws:TokenIssueTime", "2024-01-01T00:00:00Z")));
        Assert.True(Allows("""  "Null":{"aws:TokenIssueTime":"false"}""", Ctx("aws:TokenIssueTime", "2024-01-01T00:00:00Z")));
        Assert.False(Allows("""  "Null":{"aws:TokenIssueTime":"false"}"""));
    }

    // spec: reference_policies_elements_condition.html#AccessPolicyLanguage_ConditionBlock — operators and keys are ANDed, values ORed.
    [Fact]
    public void Multiple_keys_and_operators_are_ANDed_values_ORed()
    {
        const string cond = """  "StringEquals":{"a":["1","2"],"b":"x"},"Bool":{"c":"true"}""";
        Assert.True(Allows(cond, Ctx("a", "2"), Ctx("b", "x"), Ctx("c", "true")));
        Assert.False(Allows(cond, Ctx("a", "2"), Ctx("b", "y"), Ctx("c", "true")));
        Assert.False(Allows(cond, Ctx("a", "3"), Ctx("b", "x"), Ctx("c", "true")));
        Assert.False(Allows(cond, Ctx("a", "1"), Ctx("b", "x")));
    }
}
