using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>
/// The condition keys of the key-type operations reach the policy engine: kms:SigningAlgorithm, kms:MessageType,
/// kms:MacAlgorithm, kms:KeyAgreementAlgorithm, kms:DataKeyPairSpec, kms:EncryptionAlgorithm (from the request) and
/// kms:KeySpec, kms:KeyUsage (from the key, or CreateKey's request).
/// </summary>
public sealed class KeyTypeAuthorizationTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private string Account => fixture.Server.Server.Deployment.Account.Value;

    /// <summary>A key policy letting the account root do everything, except <paramref name="action"/> when any of <paramref name="conditions"/> holds.</summary>
    private string PolicyDenying(string action, params string[] conditions) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:root"},"Action":"kms:*","Resource":"*"}"""
        + string.Concat(conditions.Select(c => $$""",{"Effect":"Deny","Principal":"*","Action":"{{action}}","Resource":"*","Condition":{{c}}}"""))
        + "]}";

    private async Task<KeyMetadata> KeyAsync(string spec, string usage, string policy) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Policy = policy })).KeyMetadata;

    [Fact]
    public async Task Sign_is_limited_by_kms_SigningAlgorithm_and_kms_MessageType()
    {
        var key = await KeyAsync("RSA_2048", "SIGN_VERIFY",
            PolicyDenying("kms:Sign", """{"StringNotEquals":{"kms:SigningAlgorithm":"RSASSA_PSS_SHA_256"}}""", """{"StringNotEquals":{"kms:MessageType":"RAW"}}"""));
        Assert.NotNull((await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = Bytes("m"), SigningAlgorithm = "RSASSA_PSS_SHA_256" })).Signature);

        var denied = await DeniedAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = Bytes("m"), SigningAlgorithm = "RSASSA_PKCS1_V1_5_SHA_256" }));
        Assert.Contains("explicit deny", denied.Message);
        await DeniedAsync(() => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(SHA256.HashData("m"u8)), MessageType = MessageType.DIGEST, SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
    }

    [Fact]
    public async Task Mac_and_key_agreement_operations_see_their_algorithm()
    {
        var hmac = await KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC", PolicyDenying("kms:GenerateMac", """{"StringEquals":{"kms:MacAlgorithm":"HMAC_SHA_256"}}"""));
        await DeniedAsync(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = Bytes("m"), MacAlgorithm = "HMAC_SHA_256" }));

        var open = await KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC", PolicyDenying("kms:GenerateMac", """{"StringEquals":{"kms:MacAlgorithm":"HMAC_SHA_512"}}"""));
        Assert.Equal(32, (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = open.KeyId, Message = Bytes("m"), MacAlgorithm = "HMAC_SHA_256" })).Mac.Length);

        var agreement = await KeyAsync("ECC_NIST_P256", "KEY_AGREEMENT",
            PolicyDenying("kms:DeriveSharedSecret", """{"StringEquals":{"kms:KeyAgreementAlgorithm":"ECDH"}}"""));
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        await DeniedAsync(() => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = agreement.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        }));
    }

    [Fact]
    public async Task Data_key_pairs_are_limited_by_kms_DataKeyPairSpec_and_RSA_decryption_by_kms_EncryptionAlgorithm()
    {
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = PolicyDenying("kms:GenerateDataKeyPair*", """{"StringNotEquals":{"kms:DataKeyPairSpec":"ECC_NIST_P256"}}"""),
        })).KeyMetadata;
        Assert.NotNull((await Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric.KeyId, KeyPairSpec = "ECC_NIST_P256" })).PublicKey);
        await DeniedAsync(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric.KeyId, KeyPairSpec = "ECC_NIST_P384" }));
        await DeniedAsync(() => Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric.KeyId, KeyPairSpec = "RSA_2048" }));

        var rsa = await KeyAsync("RSA_2048", "ENCRYPT_DECRYPT", PolicyDenying("kms:Decrypt", """{"StringNotEquals":{"kms:EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}}"""));
        var sha1 = (await Kms.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_1" })).CiphertextBlob;
        var sha256 = (await Kms.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob;
        await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest { KeyId = rsa.KeyId, CiphertextBlob = sha1, EncryptionAlgorithm = "RSAES_OAEP_SHA_1" }));
        Assert.Equal("x"u8.ToArray(), (await Kms.DecryptAsync(new DecryptRequest { KeyId = rsa.KeyId, CiphertextBlob = sha256, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).Plaintext.ToArray());
    }

    [Fact]
    public async Task An_RSA_ciphertext_is_authorized_against_the_key_the_request_names()
    {
        // Decrypt of an RSA ciphertext uses the KeyId's key; that key's policy decides, not some key the bytes might name.
        var rsa = await KeyAsync("RSA_2048", "ENCRYPT_DECRYPT", PolicyDenying("kms:Decrypt", """{"Bool":{"aws:ViaAWSService":"false"}}"""));
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = Bytes("x"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob;
        var denied = await DeniedAsync(() => Kms.DecryptAsync(new DecryptRequest { KeyId = rsa.KeyId, CiphertextBlob = blob, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));
        Assert.Contains(rsa.Arn, denied.Message);
    }

    [Fact]
    public async Task An_identity_policy_can_limit_CreateKey_and_Sign_by_kms_KeySpec_and_kms_KeyUsage()
    {
        var policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:CreateKey","Resource":"*","Condition":{"StringEquals":{"kms:KeySpec":"ECC_NIST_P256","kms:KeyUsage":"SIGN_VERIFY"}}},
              {"Effect":"Allow","Action":["kms:Sign","kms:GetPublicKey"],"Resource":"*","Condition":{"StringEquals":{"kms:KeySpec":"ECC_NIST_P256"}}}]}
            """;
        using var iam = new IamQueryClient(fixture.Server);
        var (_, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("signer-" + Guid.NewGuid().ToString("N")[..8], policy);
        using var signer = fixture.Server.Client(accessKeyId, secret);

        var p256 = (await signer.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_NIST_P256", KeyUsage = "SIGN_VERIFY" })).KeyMetadata;
        await DeniedAsync(() => signer.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_NIST_P384", KeyUsage = "SIGN_VERIFY" }));
        await DeniedAsync(() => signer.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_NIST_P256", KeyUsage = "KEY_AGREEMENT" }));
        Assert.NotNull((await signer.SignAsync(new SignRequest { KeyId = p256.KeyId, Message = Bytes("m"), SigningAlgorithm = "ECDSA_SHA_256" })).Signature);

        // The default key policy lets the account's IAM policies decide; the user's policy names P-256 keys only.
        var p384 = await fixture.KeyAsync("ECC_NIST_P384", "SIGN_VERIFY");
        await DeniedAsync(() => signer.SignAsync(new SignRequest { KeyId = p384.KeyId, Message = Bytes("m"), SigningAlgorithm = "ECDSA_SHA_384" }));
    }
}
