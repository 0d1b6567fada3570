using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias, ListAliases through the AWS SDK.</summary>
public sealed class AliasTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private async Task<KeyMetadata> NewKeyAsync() => (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

    private static string UniqueAlias() => "alias/test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task An_alias_names_a_key_for_cryptography_and_can_be_pointed_at_another_key()
    {
        var first = await NewKeyAsync();
        var second = await NewKeyAsync();
        var alias = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream([1]) });
        Assert.Equal(first.Arn, encrypted.KeyId);

        await Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.Arn });
        var reencrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream([1]) });
        Assert.Equal(second.Arn, reencrypted.KeyId);

        // The old ciphertext still names its own key.
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });
        Assert.Equal(first.Arn, decrypted.KeyId);
    }

    [Fact]
    public async Task ListAliases_lists_all_or_those_of_one_key_with_their_arns_and_dates()
    {
        var key = await NewKeyAsync();
        var names = new[] { UniqueAlias(), UniqueAlias(), UniqueAlias() };
        foreach (var name in names)
        {
            await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId });
        }

        var ofKey = await Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        Assert.Equal(names.Order(StringComparer.Ordinal), ofKey.Aliases.Select(a => a.AliasName));
        Assert.All(ofKey.Aliases, a =>
        {
            Assert.Equal(key.KeyId, a.TargetKeyId);
            Assert.Equal($"arn:aws:kms:us-east-1:{key.AWSAccountId}:{a.AliasName}", a.AliasArn);
            Assert.NotNull(a.CreationDate);
            Assert.NotNull(a.LastUpdatedDate);
        });

        var paged = new List<string>();
        string? marker = null;
        do
        {
            var page = await Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId, Limit = 2, Marker = marker });
            paged.AddRange(page.Aliases.Select(a => a.AliasName));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        Assert.Equal(ofKey.Aliases.Select(a => a.AliasName), paged);
    }

    [Fact]
    public async Task ListAliases_without_a_Limit_answers_50_aliases_a_page()
    {
        // spec: kms/2014-11-01 ListAliasesRequest.Limit: "If you do not include a value, it defaults to 50."
        var key = await NewKeyAsync();
        for (var i = 0; i < 51; i++)
        {
            await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = UniqueAlias(), TargetKeyId = key.KeyId });
        }

        var page = await Kms.ListAliasesAsync(new ListAliasesRequest());
        Assert.Equal(50, page.Aliases.Count);
        Assert.True(page.Truncated);
        var ofKey = await Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        Assert.Equal(50, ofKey.Aliases.Count);
        Assert.True(ofKey.Truncated);
    }

    [Fact]
    public async Task Creating_an_alias_that_exists_is_AlreadyExistsException()
    {
        var key = await NewKeyAsync();
        var alias = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await Assert.ThrowsAsync<AlreadyExistsException>(() => Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId }));
    }

    [Theory]
    [InlineData("alias/aws/reserved")]
    [InlineData("not-an-alias")]
    public async Task Reserved_and_malformed_alias_names_are_refused(string name)
    {
        // AWS KMS: alias names begin with alias/, and alias/aws/ is reserved for AWS managed keys.
        var key = await NewKeyAsync();
        await Assert.ThrowsAsync<InvalidAliasNameException>(() => Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId }));
    }

    [Fact]
    public async Task An_alias_cannot_target_another_alias()
    {
        var key = await NewKeyAsync();
        var alias = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = UniqueAlias(), TargetKeyId = alias }));
    }

    [Fact]
    public async Task DeleteAlias_removes_the_name_but_not_the_key()
    {
        var key = await NewKeyAsync();
        var alias = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await Kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }));
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias }));
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId }));
        Assert.Equal(KeyState.Enabled, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task UpdateAlias_moves_an_alias_only_to_a_key_of_the_same_type_and_usage()
    {
        // spec: kms/2014-11-01 UpdateAlias: "The current and new KMS key must be the same type (both symmetric or both
        // asymmetric or both HMAC), and they must have the same key usage." AWS does not document the error code.
        async Task<KeyMetadata> KeyAsync(KeySpec spec, KeyUsageType usage) =>
            (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata;
        var symmetric = await NewKeyAsync();
        var rsaSign = await KeyAsync(KeySpec.RSA_2048, KeyUsageType.SIGN_VERIFY);
        var rsaEncrypt = await KeyAsync(KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT);
        var hmac = await KeyAsync(KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);
        var eccSign = await KeyAsync(KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY);

        var onSymmetric = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = onSymmetric, TargetKeyId = symmetric.KeyId });
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = onSymmetric, TargetKeyId = rsaEncrypt.KeyId }));
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = onSymmetric, TargetKeyId = hmac.KeyId }));

        var onRsaSign = UniqueAlias();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = onRsaSign, TargetKeyId = rsaSign.KeyId });
        var refused = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = onRsaSign, TargetKeyId = rsaEncrypt.KeyId }));
        Assert.Equal("ValidationException", refused.ErrorCode);

        // Nothing was written: the aliases still name their first keys.
        Assert.Equal(symmetric.Arn, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = onSymmetric })).KeyMetadata.Arn);
        Assert.Equal(rsaSign.Arn, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = onRsaSign })).KeyMetadata.Arn);

        // Another asymmetric family with the same usage is the same type.
        await Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = onRsaSign, TargetKeyId = eccSign.KeyId });
        Assert.Equal(eccSign.Arn, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = onRsaSign })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task An_alias_cannot_point_to_a_key_of_another_account_even_when_its_key_policy_allows()
    {
        // spec: kms/2014-11-01 CreateAlias/UpdateAlias: "Cross-account use: No"; "The KMS key must be in the same
        // Amazon Web Services account and Region as the alias."
        await using var server = await TestServer.StartAsync();
        var (keyOwner, other) = await TwoAccountsAsync(server);
        var ownerAccount = server.Server.Deployment.Account.Value;
        var foreign = (await keyOwner.CreateKeyAsync(new CreateKeyRequest { Policy = AllowBothAccounts(ownerAccount, other.Account) })).KeyMetadata;
        var own = (await other.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        // The key policy lets the other account use the key: the ARN resolves for it.
        await other.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = foreign.Arn });

        var alias = UniqueAlias();
        await Assert.ThrowsAsync<NotFoundException>(() => other.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = foreign.Arn }));
        Assert.Empty((await other.Kms.ListAliasesAsync(new ListAliasesRequest())).Aliases);

        await other.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = own.KeyId });
        await Assert.ThrowsAsync<NotFoundException>(() => other.Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = foreign.Arn }));
        Assert.Equal(own.Arn, (await other.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task ListAliases_of_a_key_needs_only_the_IAM_permission_and_reaches_only_keys_of_the_callers_account()
    {
        // spec: kms/2014-11-01 ListAliases: "Required permissions: kms:ListAliases (IAM policy)"; "Cross-account use: No."
        await using var server = await TestServer.StartAsync();
        var account = server.Server.Deployment.Account.Value;
        using var iam = new IamQueryClient(server);
        var (adminArn, adminKey, adminSecret) = await iam.CreateUserWithKeyAsync("key-admin",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
        var (_, listerKey, listerSecret) = await iam.CreateUserWithKeyAsync("lister",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListAliases","Resource":"*"}]}""");
        using var admin = server.Kms(new BasicAWSCredentials(adminKey, adminSecret));
        using var lister = server.Kms(new BasicAWSCredentials(listerKey, listerSecret));

        // The key policy names the administrator alone: it does not let the account's IAM policies in.
        var onlyAdmin = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{adminArn}}"},"Action":"kms:*","Resource":"*"}]}""";
        var key = (await admin.CreateKeyAsync(new CreateKeyRequest { Policy = onlyAdmin })).KeyMetadata;
        var alias = UniqueAlias();
        await admin.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        Assert.Equal(account, key.AWSAccountId);

        var listed = await lister.ListAliasesAsync(new ListAliasesRequest { KeyId = key.Arn });
        Assert.Equal([alias], listed.Aliases.Select(a => a.AliasName));

        // A key of another account, even one whose key policy lets the caller's account in, is not found; neither is
        // a key id that exists nowhere in the other account: the answer tells nothing of that account's keys.
        var (_, member) = await TwoAccountsAsync(server);
        var foreign = (await admin.CreateKeyAsync(new CreateKeyRequest { Policy = AllowBothAccounts(account, member.Account) })).KeyMetadata;
        await admin.CreateAliasAsync(new CreateAliasRequest { AliasName = UniqueAlias(), TargetKeyId = foreign.KeyId });
        await member.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = foreign.Arn });
        await Assert.ThrowsAsync<NotFoundException>(() => member.Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = foreign.Arn }));
        await Assert.ThrowsAsync<NotFoundException>(() => member.Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = foreign.Arn.Replace(foreign.KeyId, Guid.NewGuid().ToString()) }));
    }

    /// <summary>A key policy for a key of <paramref name="owner"/> that lets both accounts do everything.</summary>
    private static string AllowBothAccounts(string owner, string other) => $$"""
        {"Version":"2012-10-17","Statement":[
          {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{owner}}:root"},"Action":"kms:*","Resource":"*"},
          {"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{other}}:root"},"Action":"kms:*","Resource":"*"}]}
        """;

    /// <summary>
    /// An organization on <paramref name="server"/>: a client of its management account and one of an administrator
    /// role (OrganizationAccountAccessRole) in a member account.
    /// </summary>
    private static async Task<(AmazonKeyManagementServiceClient Management, (string Account, AmazonKeyManagementServiceClient Kms) Member)> TwoAccountsAsync(TestServer server)
    {
        using var raw = new RawKmsClient(server);
        async Task<JsonElement> Organizations(string operation, object request) =>
            (await raw.SendAsync("AWSOrganizationsV20161128." + operation, JsonSerializer.Serialize(request), service: "organizations")).Body;
        await Organizations("CreateOrganization", new { FeatureSet = "ALL" });
        var requestId = (await Organizations("CreateAccount", new { Email = "member@example.com", AccountName = "member" })).GetProperty("CreateAccountStatus").GetProperty("Id").GetString();
        var member = (await Organizations("DescribeCreateAccountStatus", new { CreateAccountRequestId = requestId }))
            .GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString()!;

        using var iam = new IamQueryClient(server);
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName = "admin" });
        return (server.Client(), (member, server.Kms(session.Credentials)));
    }
}
