using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>
/// The KMS condition keys each operation puts in its request context, checked with IAM users whose policies carry
/// the condition (the keys have the default key policy, so the caller's IAM policies decide).
/// </summary>
// spec: kms/latest/developerguide/conditions-kms.html
public sealed class KmsConditionKeyTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly List<AmazonKeyManagementServiceClient> _clients = [];

    private AmazonKeyManagementServiceClient Root => fixture.Kms;

    private string Account => fixture.Server.Server.Deployment.Account.Value;

    private string AnyKey => $"arn:aws:kms:{fixture.Server.Region}:{Account}:key/*";

    private static string Policy(params string[] statements) => "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}";

    private static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A new IAM user with <paramref name="policy"/> inline, and a KMS client signing as it.</summary>
    private async Task<(string Arn, AmazonKeyManagementServiceClient Kms)> UserAsync(string name, string policy)
    {
        using var iam = new IamQueryClient(fixture.Server);
        var (arn, accessKey, secret) = await iam.CreateUserWithKeyAsync(Unique(name), policy);
        var client = fixture.Server.Client(accessKey, secret);
        _clients.Add(client);
        return (arn, client);
    }

    public void Dispose() => _clients.ForEach(c => c.Dispose());

    private async Task<KeyMetadata> KeyAsync(string? keySpec = null, string? keyUsage = null) =>
        (await Root.CreateKeyAsync(new CreateKeyRequest { KeySpec = keySpec, KeyUsage = keyUsage })).KeyMetadata;

    /// <summary>AWS's "AllowOnlySymmetricAlgorithm" example, after an allow of all of KMS.</summary>
    private string SymmetricOnly => Policy(
        """{"Effect":"Allow","Action":"kms:*","Resource":"*"}""",
        $$$$"""{"Sid":"AllowOnlySymmetricAlgorithm","Effect":"Deny","Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*"],"Resource":"{{{{AnyKey}}}}","Condition":{"StringNotEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}}""");

    // spec: conditions-kms.html#conditions-kms-encryption-algorithm ("even when the algorithm isn't specified in the request")
    [Fact]
    public async Task kms_EncryptionAlgorithm_is_SYMMETRIC_DEFAULT_when_Encrypt_Decrypt_or_ReEncrypt_name_no_algorithm()
    {
        var key = await KeyAsync();
        var other = await KeyAsync();
        var (_, user) = await UserAsync("symmetric-only", SymmetricOnly);

        var blob = (await user.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") })).CiphertextBlob.ToArray();
        Assert.Equal("x"u8.ToArray(), (await user.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
        var moved = await user.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = other.KeyId });
        Assert.Equal(other.Arn, moved.KeyId);

        // The deny still bites an algorithm other than SYMMETRIC_DEFAULT.
        var rsa = await KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var denied = await DeniedAsync(() => user.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));
        Assert.Contains("explicit deny", denied.Message);
    }

    // spec: conditions-kms.html#conditions-kms-encryption-algorithm ("operations that generate data keys and data key pairs … use only … SYMMETRIC_DEFAULT")
    [Fact]
    public async Task Data_key_operations_have_kms_EncryptionAlgorithm_SYMMETRIC_DEFAULT()
    {
        var key = await KeyAsync();
        var (_, user) = await UserAsync("symmetric-data-keys", SymmetricOnly);
        await user.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 32 });
        await user.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });
        await user.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 });
        await user.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 });

        // The value is there, next to kms:DataKeyPairSpec: a deny on both keys together matches only the named pair spec.
        var (_, limited) = await UserAsync("no-p384-pairs", Policy(
            """{"Effect":"Allow","Action":"kms:*","Resource":"*"}""",
            """{"Effect":"Deny","Action":"kms:GenerateDataKeyPair*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT","kms:DataKeyPairSpec":"ECC_NIST_P384"}}}""",
            """{"Effect":"Deny","Action":"kms:GenerateDataKeyWithoutPlaintext","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}}"""));
        await limited.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 });
        await DeniedAsync(() => limited.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P384 }));
        await DeniedAsync(() => limited.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P384 }));
        await DeniedAsync(() => limited.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }));
    }

    // spec: conditions-kms.html#conditions-kms-reencrypt-on-same-key (the example allows kms:ReEncrypt* only with Bool true)
    [Fact]
    public async Task kms_ReEncryptOnSameKey_is_true_only_when_the_destination_is_the_source_key()
    {
        var key = await KeyAsync();
        var other = await KeyAsync();
        var blob = (await Root.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") })).CiphertextBlob.ToArray();
        var (_, user) = await UserAsync("reencrypt-same-key", Policy(
            """{"Effect":"Allow","Action":"kms:ReEncrypt*","Resource":"*","Condition":{"Bool":{"kms:ReEncryptOnSameKey":"true"}}}"""));

        // The same key named by its ARN (the ciphertext names it by id): still the same key.
        var same = await user.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = key.Arn });
        Assert.Equal(key.Arn, same.KeyId);
        var denied = await DeniedAsync(() => user.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = other.KeyId }));
        Assert.Contains("kms:ReEncryptFrom", denied.Message);

        // Both accesses carry it: a deny of the false case on the destination side alone stops a move to another key.
        var (_, mover) = await UserAsync("reencrypt-other-key", Policy(
            """{"Effect":"Allow","Action":"kms:ReEncrypt*","Resource":"*"}""",
            """{"Effect":"Deny","Action":"kms:ReEncryptTo","Resource":"*","Condition":{"Bool":{"kms:ReEncryptOnSameKey":"false"}}}"""));
        Assert.Contains("kms:ReEncryptTo", (await DeniedAsync(() =>
            mover.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = other.KeyId }))).Message);
        await mover.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = key.KeyId });
    }

    // spec: conditions-kms.html#conditions-kms-resource-aliases ("It does not matter whether or how the KMS key is identified in the request")
    [Fact]
    public async Task kms_ResourceAliases_lists_the_keys_aliases_whatever_the_request_names()
    {
        var prefix = Unique("alias/finance");
        var key = await KeyAsync();
        var other = await KeyAsync();
        var (_, user) = await UserAsync("alias-based", Policy(
            $$$$"""{"Effect":"Allow","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"{{{{AnyKey}}}}","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"{{{{prefix}}}}-*"}}}"""));
        await DeniedAsync(() => user.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));

        // A key with several aliases, one of them matching, named by its id.
        await Root.CreateAliasAsync(new CreateAliasRequest { AliasName = Unique("alias/unrelated"), TargetKeyId = key.KeyId });
        await Root.CreateAliasAsync(new CreateAliasRequest { AliasName = prefix + "-a", TargetKeyId = key.KeyId });
        await user.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") });
        await user.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn });
        await DeniedAsync(() => user.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("x") }));

        // Moving the alias moves the access; the old key loses it at once.
        await Root.UpdateAliasAsync(new UpdateAliasRequest { AliasName = prefix + "-a", TargetKeyId = other.KeyId });
        await user.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("x") });
        await DeniedAsync(() => user.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));
        await Root.DeleteAliasAsync(new DeleteAliasRequest { AliasName = prefix + "-a" });
        await DeniedAsync(() => user.EncryptAsync(new EncryptRequest { KeyId = other.KeyId, Plaintext = Bytes("x") }));
    }

    // spec: conditions-kms.html#conditions-kms-encryption-context and #conditions-kms-encryption-context-keys (CreateGrant
    // is among their API operations: the grant constraint's encryption context)
    [Fact]
    public async Task CreateGrant_has_the_encryption_context_of_its_constraint()
    {
        var key = await KeyAsync();
        var (userArn, user) = await UserAsync("hr-granter", Policy(
            """{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"hr"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["dept"]}}}"""));
        CreateGrantRequest Grant(GrantConstraints? constraints) =>
            new() { KeyId = key.KeyId, GranteePrincipal = userArn, Operations = ["Decrypt"], Constraints = constraints };

        await user.CreateGrantAsync(Grant(new GrantConstraints { EncryptionContextSubset = new() { ["dept"] = "hr" } }));
        await user.CreateGrantAsync(Grant(new GrantConstraints { EncryptionContextEquals = new() { ["dept"] = "hr" } }));
        await DeniedAsync(() => user.CreateGrantAsync(Grant(new GrantConstraints { EncryptionContextSubset = new() { ["dept"] = "ops" } })));
        await DeniedAsync(() => user.CreateGrantAsync(Grant(null)));
        await DeniedAsync(() => user.CreateGrantAsync(Grant(new GrantConstraints { EncryptionContextSubset = new() { ["dept"] = "hr", ["project"] = "x" } })));
    }
}
