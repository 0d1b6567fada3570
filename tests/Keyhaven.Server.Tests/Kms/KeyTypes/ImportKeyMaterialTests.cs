using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>
/// Imported key material (Origin EXTERNAL) wrapped by the real openssl CLI with every wrapping algorithm, as the AWS KMS
/// developer guide shows ("Encrypt key material with OpenSSL"); import-token and material expiry; re-import.
/// </summary>
public sealed class ImportKeyMaterialTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    /// <summary>Wraps <paramref name="material"/> with openssl for the import parameters of <paramref name="keyId"/>.</summary>
    private static async Task<(byte[] Token, byte[] Wrapped)> WrapAsync(AmazonKeyManagementServiceClient kms, OpenSsl openssl, string keyId, byte[] material,
        string algorithm = "RSA_AES_KEY_WRAP_SHA_256", string wrappingSpec = "RSA_2048")
    {
        var parameters = await kms.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = algorithm, WrappingKeySpec = wrappingSpec });
        openssl.WritePublicKey("wrapping.pem", parameters.PublicKey.ToArray());
        openssl.Write("material.bin", material);
        var digest = algorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? "sha1" : "sha256";
        string[] oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + digest, "-pkeyopt", "rsa_mgf1_md:" + digest];
        if (algorithm.StartsWith("RSAES_OAEP", StringComparison.Ordinal))
        {
            await openssl.OkAsync(["pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-in", "material.bin", "-out", "wrapped.bin", .. oaep]);
            return (parameters.ImportToken.ToArray(), openssl.Read("wrapped.bin"));
        }

        // spec: kms/latest/developerguide/importing-keys-encrypt-key-material.html: an ephemeral AES-256 key wraps the material
        // (AES-KWP, openssl's id-aes256-wrap-pad), RSA-OAEP wraps that key; the two are concatenated.
        await openssl.OkAsync("rand", "-out", "aes.bin", "32");
        await openssl.OkAsync("enc", "-id-aes256-wrap-pad", "-K", Convert.ToHexString(openssl.Read("aes.bin")), "-iv", "A65959A6", "-in", "material.bin", "-out", "material.wrapped");
        await openssl.OkAsync(["pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-in", "aes.bin", "-out", "aes.wrapped", .. oaep]);
        return (parameters.ImportToken.ToArray(), [.. openssl.Read("aes.wrapped"), .. openssl.Read("material.wrapped")]);
    }

    private async Task<KeyMetadata> ExternalKeyAsync(AmazonKeyManagementServiceClient kms, string spec = "SYMMETRIC_DEFAULT", string usage = "ENCRYPT_DECRYPT") =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Origin = OriginType.EXTERNAL })).KeyMetadata;

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_3072")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")]
    public async Task Symmetric_material_wrapped_by_openssl_imports_and_encrypts(string algorithm, string wrappingSpec)
    {
        var key = await ExternalKeyAsync(Kms);
        Assert.Equal(KeyState.PendingImport, key.KeyState);
        Assert.Equal(OriginType.EXTERNAL, key.Origin);
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x") }));

        using var openssl = new OpenSsl();
        var material = RandomNumberGenerator.GetBytes(32);
        var (token, wrapped) = await WrapAsync(Kms, openssl, key.KeyId, material, algorithm, wrappingSpec);
        var imported = await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
        Assert.Equal(64, imported.KeyMaterialId.Length);

        var described = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, described.KeyState);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, described.ExpirationModel);
        Assert.Equal(imported.KeyMaterialId, described.CurrentKeyMaterialId);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("imported") })).CiphertextBlob;
        Assert.Equal("imported"u8.ToArray(), (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
    }

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_224", "sha224", 28)]
    [InlineData("HMAC_256", "HMAC_SHA_256", "sha256", 64)]
    [InlineData("HMAC_384", "HMAC_SHA_384", "sha384", 48)]
    [InlineData("HMAC_512", "HMAC_SHA_512", "sha512", 128)]
    public async Task MACs_of_imported_HMAC_keys_match_openssl_dgst_hmac(string spec, string algorithm, string digest, int keyLength)
    {
        var key = await ExternalKeyAsync(Kms, spec, "GENERATE_VERIFY_MAC");
        using var openssl = new OpenSsl();
        var material = RandomNumberGenerator.GetBytes(keyLength);
        var (token, wrapped) = await WrapAsync(Kms, openssl, key.KeyId, material);
        await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped) });

        var message = RandomNumberGenerator.GetBytes(777);
        openssl.Write("message.bin", message);
        await openssl.OkAsync("dgst", "-" + digest, "-mac", "HMAC", "-macopt", "hexkey:" + Convert.ToHexString(material), "-binary", "-out", "mac.bin", "message.bin");
        var mac = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(message), MacAlgorithm = algorithm });
        Assert.Equal(openssl.Read("mac.bin"), mac.Mac.ToArray());

        // openssl dgst -hmac takes the key as text: the same MAC when the key is printable.
        var textKey = new string('k', keyLength);
        var textKeyId = (await ExternalKeyAsync(Kms, spec, "GENERATE_VERIFY_MAC")).KeyId;
        (token, wrapped) = await WrapAsync(Kms, openssl, textKeyId, System.Text.Encoding.ASCII.GetBytes(textKey));
        await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = textKeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped) });
        await openssl.OkAsync("dgst", "-" + digest, "-hmac", textKey, "-binary", "-out", "text-mac.bin", "message.bin");
        Assert.Equal(openssl.Read("text-mac.bin"), (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = textKeyId, Message = new MemoryStream(message), MacAlgorithm = algorithm })).Mac.ToArray());
    }

    [Theory]
    [InlineData("RSA_2048", "RSA", "rsa_keygen_bits:2048", "RSASSA_PSS_SHA_256")]
    [InlineData("ECC_NIST_P256", "EC", "ec_paramgen_curve:P-256", "ECDSA_SHA_256")]
    public async Task An_openssl_private_key_imports_and_its_signatures_verify_with_openssl(string spec, string algorithm, string option, string signing)
    {
        var key = await ExternalKeyAsync(Kms, spec, "SIGN_VERIFY");
        using var openssl = new OpenSsl();
        await openssl.OkAsync("genpkey", "-algorithm", algorithm, "-pkeyopt", option, "-out", "private.pem");
        await openssl.OkAsync("pkcs8", "-topk8", "-nocrypt", "-in", "private.pem", "-outform", "DER", "-out", "private.der");
        await openssl.OkAsync("pkey", "-in", "private.pem", "-pubout", "-outform", "DER", "-out", "public.der");
        var (token, wrapped) = await WrapAsync(Kms, openssl, key.KeyId, openssl.Read("private.der"));
        await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped) });

        Assert.Equal(openssl.Read("public.der"), (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        openssl.Write("message.bin", "signed by an imported key"u8.ToArray());
        openssl.Write("message.sig", (await Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(openssl.Read("message.bin")), SigningAlgorithm = signing,
        })).Signature.ToArray());
        string[] pss = signing.Contains("PSS", StringComparison.Ordinal) ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] : [];
        Assert.Contains("Verified OK", (await openssl.OkAsync(["dgst", "-sha256", "-prverify", "private.pem", .. pss, "-signature", "message.sig", "message.bin"])).Stdout);

        // The wrong kind of key for the spec is IncorrectKeyMaterialException.
        var other = await ExternalKeyAsync(Kms, spec == "RSA_2048" ? "ECC_NIST_P256" : "RSA_2048", "SIGN_VERIFY");
        (token, wrapped) = await WrapAsync(Kms, openssl, other.KeyId, openssl.Read("private.der"));
        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = other.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }));
    }

    [Fact]
    public async Task Expiring_material_returns_the_key_to_PendingImport_and_only_the_same_material_comes_back()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var openssl = new OpenSsl();
        var key = await ExternalKeyAsync(kms);
        var material = RandomNumberGenerator.GetBytes(32);
        var (token, wrapped) = await WrapAsync(kms, openssl, key.KeyId, material);
        var validTo = DateTime.UtcNow + server.Clock.Offset + TimeSpan.FromDays(1);
        await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES, ValidTo = validTo,
        });
        var described = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, described.ExpirationModel);
        Assert.InRange(described.ValidTo!.Value.ToUniversalTime(), validTo.AddSeconds(-2), validTo.AddSeconds(2));
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("before expiry") })).CiphertextBlob.ToArray();

        // AWS KMS: when the material expires it is deleted and the key is PendingImport: unusable until re-imported.
        server.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(KeyState.PendingImport, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        await server.Server.RunMaintenanceAsync();
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }));

        // Other material is refused; the same material brings every old ciphertext back.
        (token, wrapped) = await WrapAsync(kms, openssl, key.KeyId, RandomNumberGenerator.GetBytes(32));
        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }));
        (token, wrapped) = await WrapAsync(kms, openssl, key.KeyId, material);
        await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped) });
        Assert.Equal("before expiry"u8.ToArray(), (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

        // DeleteImportedKeyMaterial does the same at once.
        await kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.PendingImport, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
    }

    [Fact]
    public async Task Deleting_material_checks_its_id_and_leaves_a_key_pending_deletion_in_that_state()
    {
        using var openssl = new OpenSsl();
        var key = await ExternalKeyAsync(Kms);
        var (token, wrapped) = await WrapAsync(Kms, openssl, key.KeyId, RandomNumberGenerator.GetBytes(32));
        var imported = await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
        });

        await FailsAsync("ValidationException", () => Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = new string('Z', 64) }));
        await Assert.ThrowsAsync<NotFoundException>(() => Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = new string('0', 64) }));
        Assert.Equal(KeyState.Enabled, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);

        // AWS: "When the specified KMS key is in the PendingDeletion state, this operation does not change the KMS key's state."
        await Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        var deleted = await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = imported.KeyMaterialId });
        Assert.Equal((key.Arn, imported.KeyMaterialId), (deleted.KeyId, deleted.KeyMaterialId));
        Assert.Equal(KeyState.PendingDeletion, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await Kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.PendingImport, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task Import_tokens_expire_after_24_hours_and_belong_to_one_key()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var openssl = new OpenSsl();
        var key = await ExternalKeyAsync(kms);
        var other = await ExternalKeyAsync(kms);
        var parameters = await kms.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = key.KeyId, WrappingAlgorithm = "RSAES_OAEP_SHA_256", WrappingKeySpec = "RSA_2048" });
        var expected = DateTime.UtcNow + server.Clock.Offset + TimeSpan.FromHours(24);
        Assert.InRange(parameters.ParametersValidTo!.Value.ToUniversalTime(), expected.AddSeconds(-5), expected.AddSeconds(5));
        var (otherToken, _) = await WrapAsync(kms, openssl, other.KeyId, new byte[32], "RSAES_OAEP_SHA_256");
        var (token, wrapped) = await WrapAsync(kms, openssl, key.KeyId, RandomNumberGenerator.GetBytes(32), "RSAES_OAEP_SHA_256");

        await Assert.ThrowsAsync<InvalidImportTokenException>(() => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(otherToken), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(new byte[256]),
        }));
        await FailsAsync("ValidationException", () => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, ValidTo = DateTime.UtcNow.AddDays(2),
        }));
        await FailsAsync("ValidationException", () => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped), ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES,
        }));

        server.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<ExpiredImportTokenException>(() => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }));

        // Keys with KMS-made material take no imports; symmetric material is exactly 32 bytes.
        var made = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = made.KeyId, WrappingAlgorithm = "RSAES_OAEP_SHA_256", WrappingKeySpec = "RSA_2048",
        }));
        (token, wrapped) = await WrapAsync(kms, openssl, key.KeyId, RandomNumberGenerator.GetBytes(16), "RSAES_OAEP_SHA_256");
        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(token), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }));
    }
}
