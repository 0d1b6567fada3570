using System.Security.Cryptography;
using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;
using Keyhaven.Server.Kms.Recipients;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateDataKeyPair(WithoutPlaintext), GenerateRandom.</summary>
/// <remarks>Responses holding plaintext are zeroed after they are written.</remarks>
internal static class CryptoHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms, RecipientAttestations recipients)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<EncryptRequest, EncryptResponse>("Encrypt", c.EncryptRequest, c.EncryptResponse,
            r => { CryptoOperations.ValidatePlaintext(r.Plaintext); return KmsAccess.Key("Encrypt", r.KeyId, r.EncryptionContext, KmsContext.Algorithm(r.EncryptionAlgorithm), r.GrantTokens); },
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.EncryptAsync(caller, r.KeyId, r.Plaintext, context, r.EncryptionAlgorithm, ct);
            ClearRequest(r.Plaintext);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "Encrypt");
            return new EncryptResponse(result.CiphertextBlob!, result.Key.Arn, result.EncryptionAlgorithm);
        });
        yield return new KmsOperation<DecryptRequest, DecryptResponse>("Decrypt", c.DecryptRequest, c.DecryptResponse,
            r =>
            {
                CryptoOperations.ValidateCiphertext(r.CiphertextBlob);
                var access = new KmsAccess("kms:Decrypt") { Ciphertext = r.CiphertextBlob, KeyIdentifier = r.KeyId, EncryptionContext = r.EncryptionContext, Context = KmsContext.Algorithm(r.EncryptionAlgorithm), GrantTokens = r.GrantTokens };
                return [access.WithRecipient(recipients.VerifyFor(r, r.Recipient))];
            },
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.DecryptAsync(caller, r.CiphertextBlob, context, r.KeyId, r.EncryptionAlgorithm, ct);
            if (r.DryRun == true)
            {
                ClearRequest(result.Plaintext);
                DryRun(r.DryRun);
            }

            kms.Usage.Record(caller, result.Key, "Decrypt");
            if (recipients.Of(r) is { } recipient)
            {
                var sealedPlaintext = recipient.SealAndClear(result.Plaintext);
                return new DecryptResponse(result.Key.Arn, null, result.EncryptionAlgorithm, sealedPlaintext);
            }

            return new DecryptResponse(result.Key.Arn, result.Plaintext!, result.EncryptionAlgorithm);
        }, response => ClearRequest(response.Plaintext));
        yield return new KmsOperation<ReEncryptRequest, ReEncryptResponse>("ReEncrypt", c.ReEncryptRequest, c.ReEncryptResponse,
            r => { CryptoOperations.ValidateCiphertext(r.CiphertextBlob); return [new KmsAccess("kms:ReEncryptFrom") { Ciphertext = r.CiphertextBlob, KeyIdentifier = r.SourceKeyId, EncryptionContext = r.SourceEncryptionContext, Context = KmsContext.Algorithm(r.SourceEncryptionAlgorithm), GrantTokens = r.GrantTokens }, .. KmsAccess.Key("ReEncryptTo", r.DestinationKeyId, r.DestinationEncryptionContext, KmsContext.Algorithm(r.DestinationEncryptionAlgorithm), r.GrantTokens)]; },
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var result = await kms.Crypto.ReEncryptAsync(caller, r.CiphertextBlob, EncryptionContext.From(r.SourceEncryptionContext, "sourceEncryptionContext"),
                r.SourceKeyId, r.SourceEncryptionAlgorithm, r.DestinationKeyId, EncryptionContext.From(r.DestinationEncryptionContext, "destinationEncryptionContext"),
                r.DestinationEncryptionAlgorithm, ct);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.SourceKey!, "ReEncrypt");
            kms.Usage.Record(caller, result.Key, "ReEncrypt");
            return new ReEncryptResponse(result.CiphertextBlob!, result.SourceKey!.Arn, result.Key.Arn, result.SourceEncryptionAlgorithm, result.EncryptionAlgorithm);
        });
        yield return new KmsOperation<GenerateDataKeyRequest, GenerateDataKeyResponse>("GenerateDataKey", c.GenerateDataKeyRequest, c.GenerateDataKeyResponse,
            r => [KmsAccess.Key("GenerateDataKey", r.KeyId, r.EncryptionContext, KmsContext.ForDataKey(), r.GrantTokens)[0].WithRecipient(recipients.VerifyFor(r, r.Recipient))],
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.GenerateDataKeyAsync(caller, r.KeyId, r.KeySpec, r.NumberOfBytes, context, withoutPlaintext: r.DryRun == true, ct);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "GenerateDataKey");
            if (recipients.Of(r) is { } recipient)
            {
                var sealedKey = recipient.SealAndClear(result.Plaintext);
                return new GenerateDataKeyResponse(result.CiphertextBlob!, null, result.Key.Arn, sealedKey);
            }

            return new GenerateDataKeyResponse(result.CiphertextBlob!, result.Plaintext!, result.Key.Arn);
        }, response => ClearRequest(response.Plaintext));
        yield return new KmsOperation<GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextResponse>("GenerateDataKeyWithoutPlaintext", c.GenerateDataKeyRequest,
            c.GenerateDataKeyWithoutPlaintextResponse,
            r => KmsAccess.Key("GenerateDataKeyWithoutPlaintext", r.KeyId, r.EncryptionContext, KmsContext.ForDataKey(), r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.GenerateDataKeyAsync(caller, r.KeyId, r.KeySpec, r.NumberOfBytes, context, withoutPlaintext: true, ct);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "GenerateDataKeyWithoutPlaintext");
            return new GenerateDataKeyWithoutPlaintextResponse(result.CiphertextBlob!, result.Key.Arn);
        });
        yield return new KmsOperation<GenerateDataKeyPairRequest, GenerateDataKeyPairResponse>("GenerateDataKeyPair", c.GenerateDataKeyPairRequest,
            c.GenerateDataKeyPairResponse,
            r => [KmsAccess.Key("GenerateDataKeyPair", r.KeyId, r.EncryptionContext, KmsContext.ForDataKey(r.KeyPairSpec), r.GrantTokens)[0]
                .WithRecipient(recipients.VerifyFor(r, r.Recipient))],
            async (caller, r, ct) =>
        {
            var result = await GenerateDataKeyPairAsync(kms, caller, r, withoutPlaintext: r.DryRun == true, ct);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "GenerateDataKeyPair");
            if (recipients.Of(r) is { } recipient)
            {
                // The private key (PKCS#8 DER) goes only to the enclave; the response has no PrivateKeyPlaintext.
                var sealedPrivateKey = recipient.SealAndClear(result.PrivateKeyPlaintext);
                return new GenerateDataKeyPairResponse(result.PrivateKeyCiphertextBlob, null, result.PublicKey, result.Key.Arn,
                    r.KeyPairSpec!, result.Key.CurrentVersion.MaterialId, sealedPrivateKey);
            }

            return new GenerateDataKeyPairResponse(result.PrivateKeyCiphertextBlob, result.PrivateKeyPlaintext!, result.PublicKey, result.Key.Arn,
                r.KeyPairSpec!, result.Key.CurrentVersion.MaterialId);
        }, response => ClearRequest(response.PrivateKeyPlaintext));
        yield return new KmsOperation<GenerateDataKeyPairRequest, GenerateDataKeyPairWithoutPlaintextResponse>("GenerateDataKeyPairWithoutPlaintext",
            c.GenerateDataKeyPairRequest, c.GenerateDataKeyPairWithoutPlaintextResponse,
            r => KmsAccess.Key("GenerateDataKeyPairWithoutPlaintext", r.KeyId, r.EncryptionContext, KmsContext.ForDataKey(r.KeyPairSpec), r.GrantTokens),
            async (caller, r, ct) =>
        {
            var result = await GenerateDataKeyPairAsync(kms, caller, r, withoutPlaintext: true, ct);
            DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "GenerateDataKeyPairWithoutPlaintext");
            return new GenerateDataKeyPairWithoutPlaintextResponse(result.PrivateKeyCiphertextBlob, result.PublicKey, result.Key.Arn, r.KeyPairSpec!,
                result.Key.CurrentVersion.MaterialId);
        });
        yield return new KmsOperation<GenerateRandomRequest, GenerateRandomResponse>("GenerateRandom", c.GenerateRandomRequest, c.GenerateRandomResponse,
            r => [KmsAccess.Account("GenerateRandom")[0].WithRecipient(recipients.VerifyFor(r, r.Recipient))],
            (caller, r, ct) =>
        {
            if (r.CustomKeyStoreId is not null)
            {
                throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store `{r.CustomKeyStoreId}` does not exist.");
            }

            var random = kms.Crypto.GenerateRandom(r.NumberOfBytes);
            if (recipients.Of(r) is { } recipient)
            {
                var sealedRandom = recipient.SealAndClear(random);
                return ValueTask.FromResult(new GenerateRandomResponse(null, sealedRandom));
            }

            return ValueTask.FromResult(new GenerateRandomResponse(random));
        }, response => ClearRequest(response.Plaintext));
    }

    private static ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(KmsDomain kms, Keyhaven.Kms.Accounts.KmsCaller caller, GenerateDataKeyPairRequest r,
        bool withoutPlaintext, CancellationToken ct)
    {
        CryptoOperations.ValidateGrantTokens(r.GrantTokens);
        var spec = WireNames.DataKeyPairSpecs.Parse(r.KeyPairSpec);
        return kms.Crypto.GenerateDataKeyPairAsync(caller, r.KeyId, spec, EncryptionContext.From(r.EncryptionContext), withoutPlaintext, ct);
    }

    /// <summary>A DryRun that passed every check answers DryRunOperationException, as AWS KMS does.</summary>
    public static void DryRun(bool? dryRun)
    {
        if (dryRun == true)
        {
            throw new KmsException(KmsErrorCode.DryRunOperationException, "The request would have succeeded, but the DryRun flag is set.");
        }
    }

    private static void ClearRequest(byte[]? secret)
    {
        if (secret is not null)
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
