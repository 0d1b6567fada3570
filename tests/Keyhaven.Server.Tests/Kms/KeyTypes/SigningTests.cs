using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>Sign, Verify and GetPublicKey for every signing key spec through the AWS SDK.</summary>
public sealed class SigningTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    public static TheoryData<string, string> SpecsAndAlgorithms => new()
    {
        { "RSA_2048", "RSASSA_PSS_SHA_256" }, { "RSA_2048", "RSASSA_PSS_SHA_384" }, { "RSA_2048", "RSASSA_PSS_SHA_512" },
        { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256" }, { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384" }, { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512" },
        { "RSA_3072", "RSASSA_PSS_SHA_256" }, { "RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512" },
        { "ECC_NIST_P256", "ECDSA_SHA_256" }, { "ECC_NIST_P384", "ECDSA_SHA_384" }, { "ECC_NIST_P521", "ECDSA_SHA_512" },
        { "ECC_SECG_P256K1", "ECDSA_SHA_256" }, { "ECC_NIST_EDWARDS25519", "ED25519_SHA_512" },
        { "ML_DSA_44", "ML_DSA_SHAKE_256" }, { "ML_DSA_65", "ML_DSA_SHAKE_256" }, { "ML_DSA_87", "ML_DSA_SHAKE_256" },
    };

    [Theory]
    [MemberData(nameof(SpecsAndAlgorithms))]
    public async Task A_signature_verifies_and_a_changed_message_does_not(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");
        var message = KmsAssert.Bytes("message to sign").ToArray();
        var signed = await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm });
        Assert.Equal(key.Arn, signed.KeyId);
        Assert.Equal(algorithm, signed.SigningAlgorithm.Value);

        var verified = await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(message), Signature = signed.Signature, SigningAlgorithm = algorithm,
        });
        Assert.True(verified.SignatureValid);
        Assert.Equal(key.Arn, verified.KeyId);

        // AWS KMS: an invalid signature is KMSInvalidSignatureException, not SignatureValid = false.
        await Assert.ThrowsAsync<KMSInvalidSignatureException>(() => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyId, Message = KmsAssert.Bytes("another message"), Signature = new MemoryStream(signed.Signature.ToArray()), SigningAlgorithm = algorithm,
        }));
    }

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256")]
    public async Task A_signature_of_a_digest_verifies_against_the_public_key_as_a_signature_of_the_message(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");
        var message = RandomNumberGenerator.GetBytes(100_000); // larger than Sign takes: callers sign its digest
        var hash = algorithm.EndsWith("256", StringComparison.Ordinal) ? HashAlgorithmName.SHA256 : algorithm.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA512;
        var digest = hash == HashAlgorithmName.SHA256 ? SHA256.HashData(message) : hash == HashAlgorithmName.SHA384 ? SHA384.HashData(message) : SHA512.HashData(message);
        var signature = (await Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = algorithm,
        })).Signature.ToArray();

        var publicKey = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray();
        if (spec.StartsWith("RSA", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(publicKey, out _);
            Assert.True(rsa.VerifyData(message, signature, hash, algorithm.Contains("PSS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1));
        }
        else
        {
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(publicKey, out _);
            Assert.True(ec.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence)); // AWS: DER-encoded ECDSA signatures
        }
    }

    [Fact]
    public async Task GetPublicKey_returns_the_SubjectPublicKeyInfo_and_what_the_key_is_for()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var response = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });
        Assert.Equal(KeySpec.ECC_NIST_P256, response.KeySpec);
        Assert.Equal(KeyUsageType.SIGN_VERIFY, response.KeyUsage);
        Assert.Equal(["ECDSA_SHA_256"], response.SigningAlgorithms);
        Assert.Null(response.EncryptionAlgorithms is { Count: > 0 } ? response.EncryptionAlgorithms : null);
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(response.PublicKey.ToArray(), out var read);
        Assert.Equal(response.PublicKey.Length, read);
        Assert.Equal(256, ec.KeySize);

        var described = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(["ECDSA_SHA_256"], described.SigningAlgorithms);
        Assert.Equal(KeySpec.ECC_NIST_P256, described.KeySpec);

        // AWS KMS: symmetric and HMAC keys have no public key.
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = symmetric.KeyId }));
    }

    [Fact]
    public async Task Ed25519_takes_RAW_for_pure_Ed25519_and_DIGEST_for_Ed25519ph()
    {
        var key = await fixture.KeyAsync("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
        var digest = SHA512.HashData("prehashed"u8);
        var signature = (await Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = "ED25519_PH_SHA_512",
        })).Signature;
        Assert.Equal(64, signature.Length);
        Assert.True((await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, Signature = signature, SigningAlgorithm = "ED25519_PH_SHA_512",
        })).SignatureValid);

        // spec: API_Sign.html#KMS-Sign-request-MessageType: ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST.
        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = "ED25519_SHA_512",
        }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.RAW, SigningAlgorithm = "ED25519_PH_SHA_512",
        }));
    }

    [Fact]
    public async Task ML_DSA_takes_RAW_and_refuses_DIGEST_and_a_wrong_length_mu()
    {
        var key = await fixture.KeyAsync("ML_DSA_44", "SIGN_VERIFY");
        var signature = (await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ML_DSA_SHAKE_256" })).Signature;
        Assert.Equal(2420, signature.Length); // FIPS 204 Table 2: ML-DSA-44 signatures are 2420 bytes
        var publicKey = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray();
        Assert.Equal(1312 + 22, publicKey.Length); // 1312-byte key in an SPKI with the id-ml-dsa-44 algorithm identifier

        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(new byte[32]), MessageType = MessageType.DIGEST, SigningAlgorithm = "ML_DSA_SHAKE_256",
        }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(new byte[32]), MessageType = MessageType.EXTERNAL_MU, SigningAlgorithm = "ML_DSA_SHAKE_256",
        }));
        // Deviation (docs/kms-api.md): a well-formed 64-byte μ is refused, BouncyCastle cannot sign a precomputed μ.
        await KmsAssert.FailsAsync("UnsupportedOperationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(new byte[64]), MessageType = MessageType.EXTERNAL_MU, SigningAlgorithm = "ML_DSA_SHAKE_256",
        }));
    }

    [Fact]
    public async Task Wrong_keys_algorithms_and_sizes_get_AWS_errors()
    {
        var ecc = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        // AWS KMS: a key that does not sign, or an algorithm that does not fit the key, is InvalidKeyUsageException.
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = symmetric.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ECDSA_SHA_256" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = ecc.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ECDSA_SHA_384" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = ecc.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "RSASSA_PSS_SHA_256" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = ecc.KeyId, Plaintext = KmsAssert.Bytes("m") }));

        // Messages are 1–4096 bytes; a digest is exactly as long as the algorithm's hash.
        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest { KeyId = ecc.KeyId, Message = new MemoryStream(new byte[4097]), SigningAlgorithm = "ECDSA_SHA_256" }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = ecc.KeyId, Message = new MemoryStream(new byte[31]), MessageType = MessageType.DIGEST, SigningAlgorithm = "ECDSA_SHA_256",
        }));
        Assert.Equal(ecc.Arn, (await Kms.SignAsync(new SignRequest { KeyId = ecc.KeyId, Message = new MemoryStream(new byte[4096]), SigningAlgorithm = "ECDSA_SHA_256" })).KeyId);

        // A garbage signature is an invalid signature, not a server error.
        await Assert.ThrowsAsync<KMSInvalidSignatureException>(() => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = ecc.KeyId, Message = KmsAssert.Bytes("m"), Signature = new MemoryStream([0x30, 0x01, 0x00]), SigningAlgorithm = "ECDSA_SHA_256",
        }));

        await Assert.ThrowsAsync<DryRunOperationException>(() => Kms.SignAsync(new SignRequest { KeyId = ecc.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ECDSA_SHA_256", DryRun = true }));
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_SECG_P256K1", "KEY_AGREEMENT")]
    [InlineData("HMAC_256", "ENCRYPT_DECRYPT")]
    [InlineData("ML_DSA_65", "KEY_AGREEMENT")]
    [InlineData("SYMMETRIC_DEFAULT", "SIGN_VERIFY")]
    [InlineData("RSA_2048", "GENERATE_VERIFY_MAC")]
    public async Task CreateKey_refuses_a_usage_the_spec_does_not_support(string spec, string usage)
    {
        await KmsAssert.FailsAsync("ValidationException", () => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage }));
    }

    [Fact]
    public async Task A_signing_key_survives_a_restart_with_the_same_public_key()
    {
        await using var server = await TestServer.StartAsync();
        var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P384, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata;
        var before = (await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray();
        var signature = (await kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("m"), SigningAlgorithm = "ECDSA_SHA_384" })).Signature.ToArray();
        kms.Dispose();

        await server.RestartAsync();
        using var again = server.Client();
        Assert.Equal(before, (await again.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        Assert.True((await again.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyId, Message = KmsAssert.Bytes("m"), Signature = new MemoryStream(signature), SigningAlgorithm = "ECDSA_SHA_384",
        })).SignatureValid);
    }
}
