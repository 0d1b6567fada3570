using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Kms.KeyTypes;

namespace Keyhaven.Server.Tests.Interop;

/// <summary>
/// Keyhaven's asymmetric cryptography checked by the real OpenSSL CLI: signatures verify with the public key from
/// GetPublicKey, OpenSSL's RSA-OAEP ciphertexts decrypt in Keyhaven, ECDH secrets match, data key pairs are keys
/// OpenSSL reads. OpenSSL 3.0 has neither ML-DSA nor Ed25519ph, so those are checked only against BouncyCastle.
/// </summary>
public sealed class OpenSslInteropTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    public static TheoryData<string, string, string> DigestSignatures => new()
    {
        { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "sha256" }, { "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "sha384" },
        { "RSA_3072", "RSASSA_PKCS1_V1_5_SHA_512", "sha512" }, { "RSA_2048", "RSASSA_PSS_SHA_256", "sha256" },
        { "RSA_2048", "RSASSA_PSS_SHA_384", "sha384" }, { "RSA_4096", "RSASSA_PSS_SHA_512", "sha512" },
        { "ECC_NIST_P256", "ECDSA_SHA_256", "sha256" }, { "ECC_NIST_P384", "ECDSA_SHA_384", "sha384" },
        { "ECC_NIST_P521", "ECDSA_SHA_512", "sha512" }, { "ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256" },
    };

    [Theory]
    [MemberData(nameof(DigestSignatures))]
    public async Task Signatures_verify_with_openssl_dgst_and_pkeyutl(string spec, string algorithm, string digest)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");
        using var openssl = new OpenSsl();
        openssl.WritePublicKey("public.pem", (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        var message = RandomNumberGenerator.GetBytes(1000);
        openssl.Write("message.bin", message);
        openssl.Write("raw.sig", (await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm })).Signature.ToArray());

        // AWS KMS: PSS uses MGF1 with the message digest and a salt as long as the digest.
        string[] pss = algorithm.Contains("PSS", StringComparison.Ordinal) ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] : [];
        var verified = await openssl.OkAsync(["dgst", "-" + digest, "-verify", "public.pem", .. pss, "-signature", "raw.sig", "message.bin"]);
        Assert.Contains("Verified OK", verified.Stdout, StringComparison.Ordinal);

        // A signature of a DIGEST message verifies with pkeyutl over the same digest.
        await openssl.OkAsync("dgst", "-" + digest, "-binary", "-out", "digest.bin", "message.bin");
        var hash = openssl.Read("digest.bin");
        openssl.Write("digest.sig", (await Kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(hash), MessageType = MessageType.DIGEST, SigningAlgorithm = algorithm,
        })).Signature.ToArray());
        string[] pkeyopts = algorithm.Contains("PSS", StringComparison.Ordinal) ? ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"] : [];
        var pkeyutl = await openssl.OkAsync(["pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-in", "digest.bin", "-sigfile", "digest.sig", "-pkeyopt", "digest:" + digest, .. pkeyopts]);
        Assert.Contains("Signature Verified Successfully", pkeyutl.Stdout, StringComparison.Ordinal);

        // Control: OpenSSL rejects the signature over another message, so the checks above can fail.
        openssl.Write("other.bin", [.. message, 0]);
        var rejected = await openssl.RunAsync(["dgst", "-" + digest, "-verify", "public.pem", .. pss, "-signature", "raw.sig", "other.bin"]);
        Assert.NotEqual(0, rejected.ExitCode);
    }

    [Fact]
    public async Task Ed25519_signatures_verify_with_openssl_pkeyutl_rawin()
    {
        var key = await fixture.KeyAsync("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
        using var openssl = new OpenSsl();
        openssl.WritePublicKey("public.pem", (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        var message = RandomNumberGenerator.GetBytes(500);
        openssl.Write("message.bin", message);
        openssl.Write("message.sig", (await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "ED25519_SHA_512" })).Signature.ToArray());

        var verified = await openssl.OkAsync("pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-rawin", "-in", "message.bin", "-sigfile", "message.sig");
        Assert.Contains("Signature Verified Successfully", verified.Stdout, StringComparison.Ordinal);
        openssl.Write("other.bin", [.. message, 1]);
        Assert.NotEqual(0, (await openssl.RunAsync("pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-rawin", "-in", "other.bin", "-sigfile", "message.sig")).ExitCode);
    }

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_1", "sha1")]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256", "sha256")]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_256", "sha256")]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_1", "sha1")]
    public async Task Ciphertexts_made_by_openssl_with_the_public_key_decrypt(string spec, string algorithm, string digest)
    {
        var key = await fixture.KeyAsync(spec, "ENCRYPT_DECRYPT");
        using var openssl = new OpenSsl();
        openssl.WritePublicKey("public.pem", (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        var plaintext = RandomNumberGenerator.GetBytes(100);
        openssl.Write("plain.bin", plaintext);
        await openssl.OkAsync("pkeyutl", "-encrypt", "-pubin", "-inkey", "public.pem", "-in", "plain.bin", "-out", "cipher.bin",
            "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + digest, "-pkeyopt", "rsa_mgf1_md:" + digest);

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(openssl.Read("cipher.bin")), EncryptionAlgorithm = algorithm });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "P-256")]
    [InlineData("ECC_NIST_P384", "P-384")]
    [InlineData("ECC_NIST_P521", "P-521")]
    public async Task ECDH_shared_secrets_match_openssl_pkeyutl_derive(string spec, string curve)
    {
        var key = await fixture.KeyAsync(spec, "KEY_AGREEMENT");
        using var openssl = new OpenSsl();
        openssl.WritePublicKey("kms.pem", (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray());
        await openssl.OkAsync("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", "peer.pem");
        await openssl.OkAsync("pkey", "-in", "peer.pem", "-pubout", "-outform", "DER", "-out", "peer-public.der");
        await openssl.OkAsync("pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", "kms.pem", "-out", "secret.bin");

        var derived = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(openssl.Read("peer-public.der")),
        });
        Assert.Equal(openssl.Read("secret.bin"), derived.SharedSecret.ToArray());
    }

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("ECC_NIST_P384")]
    [InlineData("ECC_SECG_P256K1")]
    [InlineData("ECC_NIST_EDWARDS25519")]
    public async Task Data_key_pairs_are_PKCS8_keys_openssl_reads_and_whose_public_key_it_derives(string spec)
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var pair = await Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = spec });
        using var openssl = new OpenSsl();
        openssl.Write("private.der", pair.PrivateKeyPlaintext.ToArray());
        await openssl.OkAsync("pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der");
        Assert.Equal(pair.PublicKey.ToArray(), openssl.Read("public.der"));
    }
}
