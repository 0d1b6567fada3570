using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.KeyManagementService.Model;
using Keyhaven.Attestation.Nitro;
using Keyhaven.Attestation.Verification;
using Keyhaven.Server.Tests.Infrastructure;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Kms.Recipients;

/// <summary>
/// Recipient with real Nitro Enclaves documents, the server's clock pinned to each document's own timestamp (their
/// certificates lived three hours). The enclave's private key stayed in the enclave, so the test checks the
/// CiphertextForRecipient's CMS structure, field by field, instead of opening it.
/// </summary>
public sealed partial class RecipientTests
{
    private const string EnvelopedDataOid = "1.2.840.113549.1.7.3", DataOid = "1.2.840.113549.1.7.1", RsaesOaepOid = "1.2.840.113549.1.1.7",
        Mgf1Oid = "1.2.840.113549.1.1.8", Sha256Oid = "2.16.840.1.101.3.4.2.1", Aes256CbcOid = "2.16.840.1.101.3.4.1.42";

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0), Context1 = new(TagClass.ContextSpecific, 1);

    private static AttestationDocument Verified(byte[] document, TimeProvider at)
    {
        var result = new NitroAttestationVerifier(new AttestationVerifierOptions(), at).Verify(document);
        Assert.True(result.IsValid, result.Reason);
        return result.Document!;
    }

    [Fact]
    public async Task Decrypt_with_a_real_Nitro_document_returns_a_well_formed_envelope_addressed_to_its_RSA_key()
    {
        var document = NitroFixtures.Read(NitroFixtures.ProductionRsaRecipient);
        await using var server = await TestServer.StartAsync(startAt: DateTimeOffset.Parse("2021-03-24T16:10:45Z"));
        var attested = Verified(document, server.Clock);
        using var kms = server.Client();
        var account = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Policy = OnlyImage(account, attested.ImageSha384!, "kms:Decrypt") })).KeyMetadata.KeyId;
        var secret = RandomNumberGenerator.GetBytes(32);
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(secret) })).CiphertextBlob;

        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, Recipient = Recipient(document) });

        Assert.Null(decrypted.Plaintext);
        using var enclaveKey = RSA.Create();
        enclaveKey.ImportSubjectPublicKeyInfo(attested.PublicKey, out _);
        AssertEnvelopeAddressedTo(decrypted.CiphertextForRecipient.ToArray(), enclaveKey, attested.PublicKey!, contentLength: secret.Length);

        // The policy names this production image; the same key refuses a request for the real debug document.
        server.Clock.Advance(DateTimeOffset.Parse("2024-01-24T18:14:27Z") - server.Clock.GetUtcNow());
        var debug = NitroFixtures.Read(NitroFixtures.DebugRsaRecipient);
        Assert.True(Verified(debug, server.Clock).IsDebug);
        await DeniedAsync(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, Recipient = Recipient(debug) }));
    }

    /// <summary>
    /// RFC 5652 ContentInfo → EnvelopedData with one KeyTransRecipientInfo (rid: the key's subject key identifier),
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 section 4.1), the wrapped key as long as the modulus; content
    /// AES-256-CBC (RFC 3565) with a 16-byte IV, ciphertext one to sixteen bytes longer than the plaintext (PKCS#7 padding).
    /// </summary>
    private static void AssertEnvelopeAddressedTo(byte[] envelope, RSA key, byte[] subjectPublicKeyInfo, int contentLength)
    {
        var contentInfo = new AsnReader(envelope, AsnEncodingRules.DER).ReadSequence(); // spec: RFC 5652 section 3
        Assert.Equal(EnvelopedDataOid, contentInfo.ReadObjectIdentifier());
        var enveloped = contentInfo.ReadSequence(Context0).ReadSequence(); // spec: RFC 5652 section 6.1
        Assert.False(contentInfo.HasData);
        Assert.Equal(2, (int)enveloped.ReadInteger()); // version 2: a recipient identified by subject key identifier
        var recipients = enveloped.ReadSetOf();
        var recipient = recipients.ReadSequence(); // spec: RFC 5652 section 6.2.1 (KeyTransRecipientInfo)
        Assert.False(recipients.HasData);
        Assert.Equal(2, (int)recipient.ReadInteger());
        var keyIdentifier = recipient.ReadOctetString(Context0);
        var expected = new X509SubjectKeyIdentifierExtension(new PublicKey(key), false).SubjectKeyIdentifierBytes.ToArray();
        Assert.Equal(expected, keyIdentifier);

        var keyEncryption = recipient.ReadSequence();
        Assert.Equal(RsaesOaepOid, keyEncryption.ReadObjectIdentifier());
        var oaep = keyEncryption.ReadSequence(); // spec: RFC 4055 section 4.1 (RSAES-OAEP-params)
        Assert.Equal(Sha256Oid, oaep.ReadSequence(Context0).ReadSequence().ReadObjectIdentifier());
        var mask = oaep.ReadSequence(Context1).ReadSequence();
        Assert.Equal(Mgf1Oid, mask.ReadObjectIdentifier());
        Assert.Equal(Sha256Oid, mask.ReadSequence().ReadObjectIdentifier());
        var wrappedKey = recipient.ReadOctetString();
        Assert.Equal(key.KeySize / 8, wrappedKey.Length);
        Assert.False(recipient.HasData);

        var content = enveloped.ReadSequence(); // spec: RFC 5652 section 6.1 (EncryptedContentInfo)
        Assert.Equal(DataOid, content.ReadObjectIdentifier());
        var contentEncryption = content.ReadSequence();
        Assert.Equal(Aes256CbcOid, contentEncryption.ReadObjectIdentifier()); // spec: RFC 3565 section 4.1
        Assert.Equal(16, contentEncryption.ReadOctetString().Length);
        var encryptedContent = content.ReadOctetString(Context0);
        Assert.Equal((contentLength / 16 + 1) * 16, encryptedContent.Length);
        Assert.False(enveloped.HasData);

        // The recipient key is the document's: the envelope was made for exactly that SubjectPublicKeyInfo.
        Assert.Equal(subjectPublicKeyInfo, key.ExportSubjectPublicKeyInfo());
    }
}
