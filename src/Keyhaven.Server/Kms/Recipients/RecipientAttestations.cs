using Keyhaven.Attestation.Nitro;
using Keyhaven.Attestation.Recipients;
using Keyhaven.Attestation.Verification;
using Keyhaven.Kms.Errors;
using Keyhaven.Policy.Context;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Recipients;

/// <summary>
/// The <c>Recipient</c> parameter of Decrypt, GenerateDataKey, GenerateDataKeyPair, GenerateRandom and
/// DeriveSharedSecret: verifies the attestation document (with the server's verifier: the AWS Nitro root, and a
/// development root only when the server was told to trust one) before anything runs, and gives the condition keys
/// key policies match on and the key that <c>CiphertextForRecipient</c> is sealed to. Thread-safe.
/// </summary>
internal sealed class RecipientAttestations(NitroAttestationVerifier verifier)
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, VerifiedRecipient> _verified = new();

    /// <summary>
    /// Verifies the recipient of <paramref name="request"/> once, before authorization, and remembers the result for
    /// <see cref="Of"/> (the handler that seals the response runs after authorization, on the same request object).
    /// </summary>
    public VerifiedRecipient? VerifyFor(object request, RecipientInfoModel? recipient)
    {
        if (Verify(recipient) is not { } verified)
        {
            return null;
        }

        _verified.AddOrUpdate(request, verified);
        return verified;
    }

    /// <summary>The recipient <see cref="VerifyFor"/> verified for <paramref name="request"/>, or null.</summary>
    public VerifiedRecipient? Of(object request) => _verified.TryGetValue(request, out var verified) ? verified : null;

    /// <summary>The verified recipient, or null when the request names none.</summary>
    /// <exception cref="KmsException"><c>ValidationException</c>: an unsupported algorithm, or a document that does not verify or has no RSA public key of at least 2048 bits.</exception>
    private VerifiedRecipient? Verify(RecipientInfoModel? recipient)
    {
        if (recipient is null)
        {
            return null;
        }

        if (recipient.KeyEncryptionAlgorithm is { } algorithm && algorithm != RecipientEnvelope.KeyEncryptionAlgorithm)
        {
            throw new KmsException(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value '{algorithm}' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [{RecipientEnvelope.KeyEncryptionAlgorithm}]");
        }

        if (recipient.AttestationDocument is not { Length: > 0 } document)
        {
            throw new KmsException(KmsErrorCode.ValidationException, "The recipient has no attestation document.");
        }

        var result = verifier.Verify(document);
        if (!result.IsValid)
        {
            throw new KmsException(KmsErrorCode.ValidationException, $"The attestation document is not valid ({result.Failure}): {result.Reason}");
        }

        if (result.Document!.PublicKey is null)
        {
            throw new KmsException(KmsErrorCode.ValidationException, "The attestation document carries no public key to encrypt the response to.");
        }

        // Checked here, before authorization and the operation: a key the response cannot be sealed to must not let a
        // key be decrypted or generated (and its use recorded) only to fail afterwards.
        if (!RecipientEnvelope.IsRecipientKey(result.Document.PublicKey))
        {
            throw new KmsException(KmsErrorCode.ValidationException,
                $"The attestation document's public key is not an RSA key of at least {RecipientEnvelope.MinimumKeySize} bits; the response can only be sealed to one.");
        }

        return new VerifiedRecipient(result.Document, result.IsDevelopment);
    }
}

/// <summary>An attested enclave a response is sealed to.</summary>
internal sealed record VerifiedRecipient(AttestationDocument Document, bool IsDevelopment)
{
    private const string Prefix = "kms:RecipientAttestation:";

    /// <summary>
    /// <c>kms:RecipientAttestation:ImageSha384</c> (PCR0 of an enclave) and <c>kms:RecipientAttestation:PCR&lt;n&gt;</c>
    /// (<c>NitroTPMPCR&lt;n&gt;</c> for NitroTPM documents), lowercase hex, as key policies compare them.
    /// </summary>
    public IReadOnlyDictionary<string, ContextValues> ConditionKeys()
    {
        var keys = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        if (Document.ImageSha384 is { } image)
        {
            keys[Prefix + "ImageSha384"] = new ContextValues(Convert.ToHexStringLower(image));
        }

        foreach (var (index, value) in Document.Pcrs)
        {
            keys[Prefix + (Document.IsNitroTpm ? "NitroTPMPCR" : "PCR") + index] = new ContextValues(Convert.ToHexStringLower(value));
        }

        return keys;
    }

    /// <summary>
    /// Seals <paramref name="secret"/> to the enclave's key (the <c>CiphertextForRecipient</c>) and zeroes
    /// <paramref name="secret"/>, whether sealing succeeds or throws.
    /// </summary>
    public byte[] SealAndClear(byte[]? secret)
    {
        try
        {
            return RecipientEnvelope.Seal(secret, Document.PublicKey);
        }
        finally
        {
            if (secret is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
            }
        }
    }
}
