using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>GetKeyPolicy, PutKeyPolicy, ListKeyPolicies and the default key policy.</summary>
public sealed class KeyPolicyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Fact]
    public async Task A_key_created_without_a_policy_gets_the_default_key_policy()
    {
        // AWS KMS: the default key policy allows the account root, which delegates access to IAM policies.
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var policy = await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" });
        using var document = JsonDocument.Parse(policy.Policy);
        var statement = document.RootElement.GetProperty("Statement")[0];
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal($"arn:aws:iam::{key.AWSAccountId}:root", statement.GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal("kms:*", statement.GetProperty("Action").GetString());
        Assert.Equal("default", policy.PolicyName);

        var names = await Kms.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.KeyId });
        Assert.Equal(["default"], names.PolicyNames);
    }

    [Fact]
    public async Task A_policy_given_to_CreateKey_or_PutKeyPolicy_is_stored_as_given()
    {
        var account = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var policy = PolicyFor(account, "first");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        Assert.Equal(policy, (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);

        var replacement = PolicyFor(account, "second");
        await Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = "default", Policy = replacement });
        Assert.Equal(replacement, (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"Version\":\"2012-10-17\"}")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}")]
    public async Task A_malformed_policy_is_MalformedPolicyDocumentException_and_the_old_one_stays(string policy)
    {
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var before = (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy;
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy }));
        Assert.Equal(before, (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);
    }

    [Theory]
    [InlineData("\u20AC")] // a euro sign: above U+00FF
    [InlineData("\u0001")] // a control character other than tab, line feed and carriage return
    public async Task A_policy_with_characters_outside_the_PolicyType_pattern_is_ValidationException(string character)
    {
        // spec: kms/2014-11-01 PolicyType: pattern [\u0009\u000A\u000D\u0020-\u00FF]+
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var before = (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy;
        var policy = WithSecondStatement(key.AWSAccountId, "caf" + character);
        var put = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
        Assert.Equal("ValidationException", put.ErrorCode);
        Assert.Contains("Member must satisfy regular expression pattern", put.Message);
        var create = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy }));
        Assert.Equal("ValidationException", create.ErrorCode);
        Assert.Equal(before, (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);

        // Latin-1 letters are inside the pattern.
        var latin1 = WithSecondStatement(key.AWSAccountId, "caf\u00E9");
        await Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = latin1 });
        Assert.Equal(latin1, (await Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId })).Policy);
    }

    private static string WithSecondStatement(string account, string contextValue) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account
        + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account
        + ":root\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:team\":\"" + contextValue + "\"}}}]}";

    [Fact]
    public async Task A_policy_over_32_KB_is_LimitExceededException()
    {
        // AWS KMS: the key policy document size quota is 32 KB.
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var large = PolicyFor(key.AWSAccountId, new string('x', 33 * 1024));
        await Assert.ThrowsAsync<LimitExceededException>(() => Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = large }));
    }

    [Fact]
    public async Task The_only_policy_name_is_default()
    {
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "other" }));
    }

    private static string PolicyFor(string account, string sid) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
        + account + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
}
