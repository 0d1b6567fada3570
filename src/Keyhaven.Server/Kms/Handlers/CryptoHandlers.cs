using System.Security.Cryptography;
using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom.</summary>
/// <remarks>Responses holding plaintext are zeroed after they are written.</remarks>
internal static class CryptoHandlers
{
    private const string Symmetric = EncryptionAlgorithm.SymmetricDefault;

    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
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
            return new EncryptResponse(result.CiphertextBlob!, result.Key.Arn, Symmetric);
        });
        yield return new KmsOperation<DecryptRequest, DecryptResponse>("Decrypt", c.DecryptRequest, c.DecryptResponse,
            r => { CryptoOperations.ValidateCiphertext(r.CiphertextBlob); return [new KmsAccess("kms:Decrypt") { Ciphertext = r.CiphertextBlob, EncryptionContext = r.EncryptionContext, Context = KmsContext.Algorithm(r.EncryptionAlgorithm), GrantTokens = r.GrantTokens }]; },
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

            return new DecryptResponse(result.Key.Arn, result.Plaintext!, Symmetric);
        }, response => CryptographicOperations.ZeroMemory(response.Plaintext));
        yield return new KmsOperation<ReEncryptRequest, ReEncryptResponse>("ReEncrypt", c.ReEncryptRequest, c.ReEncryptResponse,
            r => { CryptoOperations.ValidateCiphertext(r.CiphertextBlob); return [new KmsAccess("kms:ReEncryptFrom") { Ciphertext = r.CiphertextBlob, EncryptionContext = r.SourceEncryptionContext, GrantTokens = r.GrantTokens }, .. KmsAccess.Key("ReEncryptTo", r.DestinationKeyId, r.DestinationEncryptionContext, grantTokens: r.GrantTokens)]; },
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var result = await kms.Crypto.ReEncryptAsync(caller, r.CiphertextBlob, EncryptionContext.From(r.SourceEncryptionContext, "sourceEncryptionContext"),
                r.SourceKeyId, r.SourceEncryptionAlgorithm, r.DestinationKeyId, EncryptionContext.From(r.DestinationEncryptionContext, "destinationEncryptionContext"),
                r.DestinationEncryptionAlgorithm, ct);
            DryRun(r.DryRun);
            return new ReEncryptResponse(result.CiphertextBlob!, result.SourceKey!.Arn, result.Key.Arn, Symmetric, Symmetric);
        });
        yield return new KmsOperation<GenerateDataKeyRequest, GenerateDataKeyResponse>("GenerateDataKey", c.GenerateDataKeyRequest, c.GenerateDataKeyResponse,
            r => KmsAccess.Key("GenerateDataKey", r.KeyId, r.EncryptionContext, grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.GenerateDataKeyAsync(caller, r.KeyId, r.KeySpec, r.NumberOfBytes, context, withoutPlaintext: r.DryRun == true, ct);
            DryRun(r.DryRun);
            return new GenerateDataKeyResponse(result.CiphertextBlob!, result.Plaintext!, result.Key.Arn);
        }, response => CryptographicOperations.ZeroMemory(response.Plaintext));
        yield return new KmsOperation<GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextResponse>("GenerateDataKeyWithoutPlaintext", c.GenerateDataKeyRequest,
            c.GenerateDataKeyWithoutPlaintextResponse,
            r => KmsAccess.Key("GenerateDataKeyWithoutPlaintext", r.KeyId, r.EncryptionContext, grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var context = EncryptionContext.From(r.EncryptionContext);
            var result = await kms.Crypto.GenerateDataKeyAsync(caller, r.KeyId, r.KeySpec, r.NumberOfBytes, context, withoutPlaintext: true, ct);
            DryRun(r.DryRun);
            return new GenerateDataKeyWithoutPlaintextResponse(result.CiphertextBlob!, result.Key.Arn);
        });
        yield return new KmsOperation<GenerateRandomRequest, GenerateRandomResponse>("GenerateRandom", c.GenerateRandomRequest, c.GenerateRandomResponse,
            r => KmsAccess.Account("GenerateRandom"),
            (caller, r, ct) =>
        {
            if (r.CustomKeyStoreId is not null)
            {
                throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store `{r.CustomKeyStoreId}` does not exist.");
            }

            return ValueTask.FromResult(new GenerateRandomResponse(kms.Crypto.GenerateRandom(r.NumberOfBytes)));
        }, response => CryptographicOperations.ZeroMemory(response.Plaintext));
    }

    /// <summary>A DryRun that passed every check answers DryRunOperationException, as AWS KMS does.</summary>
    private static void DryRun(bool? dryRun)
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
