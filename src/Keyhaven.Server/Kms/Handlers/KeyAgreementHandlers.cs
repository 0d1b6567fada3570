using System.Security.Cryptography;
using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;
using Keyhaven.Server.Kms.Recipients;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>DeriveSharedSecret.</summary>
/// <remarks>The shared secret is zeroed after the response is written; with a Recipient it leaves only sealed to the enclave.</remarks>
internal static class KeyAgreementHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms, RecipientAttestations recipients)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<DeriveSharedSecretRequest, DeriveSharedSecretResponse>("DeriveSharedSecret", c.DeriveSharedSecretRequest,
            c.DeriveSharedSecretResponse,
            r => [KmsAccess.Key("DeriveSharedSecret", r.KeyId, context: KmsContext.Values(("kms:KeyAgreementAlgorithm", r.KeyAgreementAlgorithm)), grantTokens: r.GrantTokens)[0]
                .WithRecipient(recipients.VerifyFor(r, r.Recipient))],
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var algorithm = WireNames.KeyAgreementAlgorithms.Parse(r.KeyAgreementAlgorithm);
            var result = await kms.KeyAgreement.DeriveSharedSecretAsync(caller, r.KeyId, algorithm, r.PublicKey, ct);
            if (r.DryRun == true)
            {
                CryptographicOperations.ZeroMemory(result.SharedSecret);
                CryptoHandlers.DryRun(r.DryRun);
            }

            kms.Usage.Record(caller, result.Key, "DeriveSharedSecret");
            if (recipients.Of(r) is { } recipient)
            {
                var sealedSecret = recipient.SealAndClear(result.SharedSecret);
                return new DeriveSharedSecretResponse(result.Key.Arn, null, algorithm.ToWire(), result.Key.Origin.ToWire(), sealedSecret);
            }

            return new DeriveSharedSecretResponse(result.Key.Arn, result.SharedSecret, algorithm.ToWire(), result.Key.Origin.ToWire());
        }, response =>
        {
            if (response.SharedSecret is { } secret)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        });
    }
}
