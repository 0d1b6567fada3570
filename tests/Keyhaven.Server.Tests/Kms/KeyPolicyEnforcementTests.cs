using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>Key policies are enforced through the policy engine on every KMS call, as AWS KMS enforces them.</summary>
public sealed class KeyPolicyEnforcementTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private string Account => fixture.Server.Server.Deployment.Account.Value;

    private string Root => $"arn:aws:iam::{Account}:root";

    private static string Policy(params string[] statements) => "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}";

    private string AllowRootEverything => $$"""{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"{{Root}}"},"Action":"kms:*","Resource":"*"}""";

    [Fact]
    public async Task A_key_policy_that_does_not_allow_the_caller_denies_even_the_account_root()
    {
        // AWS KMS: no principal, not even the account root, can use a key unless the key policy allows it. The user the
        // policy names must exist: AWS refuses a key policy naming a user that does not.
        var nobody = "nobody-" + Guid.NewGuid().ToString("N");
        using (var iam = new Keyhaven.Server.Tests.Sts.IamQueryClient(fixture.Server))
        {
            await iam.OkAsync("CreateUser", ("UserName", nobody));
        }

        var onlyNobody = Policy($$"""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:user/{{nobody}}"},"Action":"kms:*","Resource":"*"}""");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = onlyNobody, BypassPolicyLockoutSafetyCheck = true })).KeyMetadata;

        var denied = await DeniedAsync(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        Assert.Contains($"User: {Root} is not authorized to perform: kms:Encrypt on resource: {key.Arn}", denied.Message);
        Assert.Contains("no resource-based policy allows the kms:Encrypt action", denied.Message);
        await DeniedAsync(() => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        await DeniedAsync(() => Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Policy(AllowRootEverything) }));

        // Account-level actions are authorized by identity policies, and the root may do them.
        Assert.Contains((await Kms.ListKeysAsync(new ListKeysRequest())).Keys, k => k.KeyId == key.KeyId);
    }

    [Fact]
    public async Task Decryption_can_be_limited_to_an_encryption_context_with_an_explicit_deny()
    {
        var policy = Policy(AllowRootEverything,
            """{"Sid":"OnlyHr","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:dept":"hr"}}}""");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        var hr = new Dictionary<string, string> { ["dept"] = "hr" };
        var forHr = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("salary"), EncryptionContext = hr })).CiphertextBlob.ToArray();
        var forOps = (await Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = Bytes("pager"), EncryptionContext = new() { ["dept"] = "ops" },
        })).CiphertextBlob.ToArray();

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(forHr), EncryptionContext = hr });
        Assert.Equal("salary", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        var denied = await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(forOps), EncryptionContext = new() { ["dept"] = "ops" },
        }));
        Assert.Contains("with an explicit deny in a resource-based policy", denied.Message);
    }

    [Fact]
    public async Task Conditions_see_the_request_alias_and_the_keys_tags()
    {
        // kms:RequestAlias is the alias named in the request; aws:ResourceTag/* are the key's tags.
        var policy = Policy(AllowRootEverything,
            """{"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"StringNotLike":{"kms:RequestAlias":"alias/app-*"}}}""",
            """{"Effect":"Deny","Principal":"*","Action":"kms:GenerateDataKey","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/stage":"prod"}}}""");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        var alias = "alias/app-" + Guid.NewGuid().ToString("N");
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        await Kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = Bytes("via alias") });
        await DeniedAsync(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("by id") }));

        await DeniedAsync(() => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 }));
        await Kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = "stage", TagValue = "prod" }] });
        await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 });
    }

    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias ("You cannot use this condition key to
    // control access to alias operations")
    [Fact]
    public async Task kms_RequestAlias_is_only_for_cryptographic_operations_DescribeKey_and_GetPublicKey()
    {
        // UpdateAlias and DeleteAlias name the key by the alias too, but the condition key is not theirs.
        var policy = Policy(AllowRootEverything,
            """{"Effect":"Deny","Principal":"*","Action":["kms:DescribeKey","kms:UpdateAlias","kms:DeleteAlias"],"Resource":"*","Condition":{"StringLike":{"kms:RequestAlias":"alias/*"}}}""");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        var other = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var alias = "alias/locked-" + Guid.NewGuid().ToString("N");
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        await DeniedAsync(() => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }));
        await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        await Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = other.KeyId });
        await Kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await Kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });
    }

    [Fact]
    public async Task The_lockout_safety_check_refuses_a_policy_that_would_lock_the_caller_out_unless_bypassed()
    {
        // AWS KMS: PutKeyPolicy and CreateKey refuse a policy that would not let the caller change it again,
        // unless BypassPolicyLockoutSafetyCheck is true.
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var lockout = Policy($$"""{"Effect":"Allow","Principal":{"AWS":"{{Root}}"},"Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}""");

        var refused = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = lockout }));
        Assert.Contains("will not allow you to update the key policy in the future", refused.Message);
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => Kms.CreateKeyAsync(new CreateKeyRequest { Policy = lockout }));

        await Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = lockout, BypassPolicyLockoutSafetyCheck = true });
        await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("still usable") });
        await DeniedAsync(() => Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId }));
        await DeniedAsync(() => Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Policy(AllowRootEverything) }));
        await DeniedAsync(() => Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task A_policy_the_engine_cannot_read_is_refused_when_it_is_set()
    {
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var unknownOperator = Policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + Root
            + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":{\"aws:username\":\"x\"}}}");
        var refused = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = unknownOperator, BypassPolicyLockoutSafetyCheck = true }));
        Assert.Contains("StringEqualz", refused.Message);
        await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("old policy still in force") });
    }

    [Fact]
    public async Task ReEncrypt_needs_ReEncryptFrom_on_the_source_and_ReEncryptTo_on_the_destination()
    {
        var noReEncryptTo = Policy(AllowRootEverything,
            """{"Effect":"Deny","Principal":"*","Action":"kms:ReEncryptTo","Resource":"*"}""");
        var source = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var destination = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = noReEncryptTo })).KeyMetadata;
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = source.KeyId, Plaintext = Bytes("x") })).CiphertextBlob;

        var denied = await DeniedAsync(() =>
            Kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = blob, DestinationKeyId = destination.KeyId }));
        Assert.Contains("kms:ReEncryptTo", denied.Message);
    }

    [Fact]
    public async Task A_grant_allows_what_the_key_policy_does_not_within_its_encryption_context_constraint()
    {
        // AWS KMS: a grant is an allow path of its own; its constraint limits it to matching encryption contexts.
        var adminOnly = Policy($$"""{"Effect":"Allow","Principal":{"AWS":"{{Root}}"},"Action":["kms:Encrypt","kms:CreateGrant","kms:DescribeKey","kms:PutKeyPolicy","kms:ListGrants","kms:RevokeGrant"],"Resource":"*"}""");
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = adminOnly })).KeyMetadata;
        var hr = new Dictionary<string, string> { ["dept"] = "hr" };
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("payroll"), EncryptionContext = hr })).CiphertextBlob.ToArray();
        var other = (await Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = Bytes("roster"), EncryptionContext = new() { ["dept"] = "ops" },
        })).CiphertextBlob.ToArray();
        await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = hr }));

        var grant = await Kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId,
            GranteePrincipal = Root,
            Operations = ["Decrypt"],
            Constraints = new GrantConstraints { EncryptionContextEquals = hr },
        });

        // Usable at once with its token, and then as a stored grant.
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = hr, GrantTokens = [grant.GrantToken] });
        Assert.Equal("payroll", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = hr });
        await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(other), EncryptionContext = new() { ["dept"] = "ops" } }));
        await DeniedAsync(() => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 16, EncryptionContext = hr }));

        await Kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = grant.GrantId });
        await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = hr }));
    }
}
