using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Matching;

/// <summary>Action and resource matching through the Action/Resource elements of identity policies.</summary>
public class MatchingTests
{
    private static bool Allows(string action, string resource, string requestAction, string requestResource)
    {
        var set = new PolicySet { IdentityPolicies = [Statements("p", Allow(action, resource))], ResourcePolicy = EnableIamKeyPolicy };
        return Decide(Request(UserAlice, requestAction, requestResource, resourceAccount: AccountA), set).IsAllowed;
    }

    // spec: reference_policies_elements_action.html — action names are case-insensitive; * and ? are wildcards.
    [Theory]
    [InlineData("kms:Decrypt", "kms:Decrypt", true)]
    [InlineData("KMS:decrypt", "kms:Decrypt", true)]
    [InlineData("kms:*", "kms:Decrypt", true)]
    [InlineData("kms:De*", "kms:Decrypt", true)]
    [InlineData("kms:Decr?pt", "kms:Decrypt", true)]
    [InlineData("kms:Decr?pt", "kms:Decrpt", false)]
    [InlineData("kms:Encrypt", "kms:Decrypt", false)]
    [InlineData("*", "kms:GenerateDataKey", true)]
    [InlineData("kms:*crypt", "kms:ReEncrypt", true)]
    [InlineData("s3:*", "kms:Decrypt", false)]
    public void Action_matching_is_case_insensitive_with_wildcards(string pattern, string action, bool expected) =>
        Assert.Equal(expected, Allows(pattern, "*", action, KeyA));

    // spec: reference_policies_elements_resource.html — ARNs are case-sensitive, wildcards per segment, * in the resource part crosses '/'.
    [Theory]
    [InlineData("arn:aws:s3:::bucket-a/*", BucketObjectA, true)]
    [InlineData("arn:aws:s3:::bucket-a/reports/*", BucketObjectA, true)]
    [InlineData("arn:aws:s3:::Bucket-A/*", BucketObjectA, false)]
    [InlineData("arn:aws:s3:::bucket-?/*", BucketObjectA, true)]
    [InlineData("arn:aws:kms:*:111111111111:key/*", KeyA, true)]
    [InlineData("arn:aws:kms:us-east-1:*:key/*", KeyA, true)]
    [InlineData("arn:aws:kms:us-west-2:111111111111:key/*", KeyA, false)]
    [InlineData("arn:aws:kms:*:*:*", KeyA, true)]
    [InlineData("arn:aws:kms:us-east-1:111111111111:alias/*", KeyA, false)]
    [InlineData("*", KeyA, true)]
    public void Resource_matching_is_segmentwise_and_case_sensitive(string pattern, string resource, bool expected) =>
        Assert.Equal(expected, Allows("*", pattern, "kms:Decrypt", resource));

    // spec: reference_policies_elements_resource.html — a wildcard in the region segment does not reach across ':' into other segments.
    [Fact]
    public void Wildcard_in_a_non_resource_segment_does_not_cross_colons()
    {
        Assert.False(Conditions.ConditionOperatorTests.Allows("""  "ArnLike":{"aws:SourceArn":"arn:aws:kms:*:key/*"}""", Ctx("aws:SourceArn", KeyA)));
        Assert.True(Conditions.ConditionOperatorTests.Allows("""  "ArnLike":{"aws:SourceArn":"arn:aws:kms:*:*:key/*"}""", Ctx("aws:SourceArn", KeyA)));
    }

    // spec: reference_policies_elements_notaction.html — NotAction applies to every action except those listed.
    [Fact]
    public void NotAction_matches_everything_but_the_listed_actions()
    {
        var set = new PolicySet { IdentityPolicies = [Statements("p", """{"Effect":"Allow","NotAction":"kms:Decrypt","Resource":"*"}""")], ResourcePolicy = EnableIamKeyPolicy };
        Assert.False(Decide(Request(UserAlice, "kms:Decrypt", KeyA), set).IsAllowed);
        Assert.True(Decide(Request(UserAlice, "kms:Encrypt", KeyA), set).IsAllowed);
    }

    // spec: reference_policies_elements_notresource.html — NotResource applies to every resource except those listed.
    [Fact]
    public void NotResource_matches_everything_but_the_listed_resources()
    {
        var set = new PolicySet { IdentityPolicies = [Statements("p", $$"""{"Effect":"Allow","Action":"*","NotResource":"{{KeyA}}"}""")], ResourcePolicy = EnableIamKeyPolicy };
        Assert.False(Decide(Request(UserAlice, "kms:Decrypt", KeyA), set).IsAllowed);
        Assert.True(Decide(Request(UserAlice, "s3:GetObject", BucketObjectA, resourceAccount: AccountA), set).IsAllowed);
    }
}
