using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Keyhaven.Attestation.Recipients;

/// <summary>
/// <c>CiphertextForRecipient</c>, as AWS KMS returns it to an attested enclave: a CMS (RFC 5652) EnvelopedData whose
/// content is encrypted with AES-256-CBC under a fresh content key, and whose one recipient (KeyTransRecipientInfo,
/// identified by subject key identifier) holds that key wrapped with RSAES-OAEP SHA-256 to the enclave's RSA public
/// key from its attestation document. Only the holder of the private key — the enclave — can open it.
/// </summary>
public static class RecipientEnvelope
{
    /// <summary>The only key encryption algorithm KMS accepts for recipients.</summary>
    public const string KeyEncryptionAlgorithm = "RSAES_OAEP_SHA_256";

    private static readonly Oid Aes256Cbc = new("2.16.840.1.101.3.4.1.42");

    /// <summary>The smallest RSA key a response is sealed to, in bits.</summary>
    public const int MinimumKeySize = 2048;

    /// <summary>
    /// True when <paramref name="subjectPublicKeyInfo"/> is exactly one DER SubjectPublicKeyInfo of an RSA key of at
    /// least <see cref="MinimumKeySize"/> bits: the only keys <see cref="Seal"/> accepts. Lets a caller refuse a
    /// recipient before doing the work whose result would be sealed.
    /// </summary>
    public static bool IsRecipientKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        using var rsa = ImportRecipientKey(subjectPublicKeyInfo);
        return rsa is not null;
    }

    /// <summary>Seals <paramref name="plaintext"/> to the RSA key <paramref name="subjectPublicKeyInfo"/> (DER SubjectPublicKeyInfo).</summary>
    /// <exception cref="CryptographicException">The key is not an RSA key of at least 2048 bits.</exception>
    public static byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        using var rsa = ImportRecipientKey(subjectPublicKeyInfo)
            ?? throw new CryptographicException("The recipient's public key must be an RSA key of at least 2048 bits.");

        // CMS addresses recipients through a certificate; a carrier certificate holding only the enclave's public key
        // (signed by a throwaway key, never published) gives its subject key identifier, which is all the envelope keeps.
        using var carrier = CarrierCertificate(rsa);
        var envelope = new EnvelopedCms(new ContentInfo(plaintext.ToArray()), new AlgorithmIdentifier(Aes256Cbc, 256));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.SubjectKeyIdentifier, carrier, RSAEncryptionPadding.OaepSHA256));
        return envelope.Encode();
    }

    /// <summary>The RSA key of <paramref name="subjectPublicKeyInfo"/>, or null when it is not exactly an RSA SubjectPublicKeyInfo of at least <see cref="MinimumKeySize"/> bits.</summary>
    private static RSA? ImportRecipientKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read == subjectPublicKeyInfo.Length && rsa.KeySize >= MinimumKeySize)
            {
                return rsa;
            }
        }
        catch (CryptographicException)
        {
            // not an RSA SubjectPublicKeyInfo (an EC key, or no DER at all)
        }

        rsa.Dispose();
        return null;
    }

    private static X509Certificate2 CarrierCertificate(RSA recipient)
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=enclave recipient", recipient, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(new X500DistinguishedName("CN=enclave recipient"), X509SignatureGenerator.CreateForECDsa(signer), now.AddMinutes(-1), now.AddMinutes(1), [1]);
    }
}
