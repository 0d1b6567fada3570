using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using Keyhaven.Attestation.Recipients;

namespace Keyhaven.Attestation.Tests;

/// <summary>CiphertextForRecipient envelopes open with the recipient's private key in .NET and in OpenSSL, and in nothing else.</summary>
public sealed class RecipientEnvelopeTests
{
    [Fact]
    public void An_envelope_is_CMS_EnvelopedData_with_AES_256_CBC_and_an_OAEP_SHA_256_wrapped_key_that_opens_with_the_private_key()
    {
        using var enclave = RSA.Create(2048);
        var secret = RandomNumberGenerator.GetBytes(32);
        var sealedBytes = RecipientEnvelope.Seal(secret, enclave.ExportSubjectPublicKeyInfo());

        var envelope = new EnvelopedCms();
        envelope.Decode(sealedBytes);
        Assert.Equal("2.16.840.1.101.3.4.1.42", envelope.ContentEncryptionAlgorithm.Oid.Value);
        var recipient = Assert.Single(envelope.RecipientInfos.Cast<RecipientInfo>());
        Assert.Equal("1.2.840.113549.1.1.7", recipient.KeyEncryptionAlgorithm.Oid.Value); // id-RSAES-OAEP
        Assert.Equal(256, recipient.EncryptedKey.Length);
        Assert.Equal(SubjectIdentifierType.SubjectKeyIdentifier, recipient.RecipientIdentifier.Type);
        Assert.DoesNotContain(Convert.ToHexString(secret), Convert.ToHexString(sealedBytes));

        envelope.Decrypt(recipient, enclave);
        Assert.Equal(secret, envelope.ContentInfo.Content);

        using var stranger = RSA.Create(2048);
        var other = new EnvelopedCms();
        other.Decode(sealedBytes);
        Assert.ThrowsAny<CryptographicException>(() => other.Decrypt(other.RecipientInfos[0], stranger));
    }

    [Fact]
    public async Task OpenSSL_opens_an_envelope_with_the_private_key()
    {
        using var enclave = RSA.Create(2048);
        var directory = Directory.CreateTempSubdirectory("keyhaven-cms").FullName;
        try
        {
            var secret = RandomNumberGenerator.GetBytes(48);
            var envelopePath = Path.Combine(directory, "envelope.der");
            var keyPath = Path.Combine(directory, "enclave.pem");
            var outPath = Path.Combine(directory, "out.bin");
            await File.WriteAllBytesAsync(envelopePath, RecipientEnvelope.Seal(secret, enclave.ExportSubjectPublicKeyInfo()));
            await File.WriteAllTextAsync(keyPath, enclave.ExportPkcs8PrivateKeyPem());
            var start = new ProcessStartInfo("openssl", ["cms", "-decrypt", "-inform", "DER", "-in", envelopePath, "-inkey", keyPath, "-out", outPath])
            {
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, stderr);
            Assert.Equal(secret, await File.ReadAllBytesAsync(outPath));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Keys_that_are_not_RSA_of_2048_bits_or_more_are_refused()
    {
        using var small = RSA.Create(1024);
        Assert.ThrowsAny<CryptographicException>(() => RecipientEnvelope.Seal([1], small.ExportSubjectPublicKeyInfo()));
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.ThrowsAny<CryptographicException>(() => RecipientEnvelope.Seal([1], ec.ExportSubjectPublicKeyInfo()));
    }
}
