using System.Security.Cryptography;
using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>DeriveSharedSecret.</summary>
/// <remarks>The shared secret is zeroed after the response is written.</remarks>
internal static class KeyAgreementHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<DeriveSharedSecretRequest, DeriveSharedSecretResponse>("DeriveSharedSecret", c.DeriveSharedSecretRequest,
            c.DeriveSharedSecretResponse,
            r => KmsAccess.Key("DeriveSharedSecret", r.KeyId, context: KmsContext.Values(("kms:KeyAgreementAlgorithm", r.KeyAgreementAlgorithm)), grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            CryptoHandlers.RefuseRecipient(r.Recipient);
            var algorithm = WireNames.KeyAgreementAlgorithms.Parse(r.KeyAgreementAlgorithm);
            var result = await kms.KeyAgreement.DeriveSharedSecretAsync(caller, r.KeyId, algorithm, r.PublicKey, ct);
            if (r.DryRun == true)
            {
                CryptographicOperations.ZeroMemory(result.SharedSecret);
                CryptoHandlers.DryRun(r.DryRun);
            }

            kms.Usage.Record(caller, result.Key, "DeriveSharedSecret");
            return new DeriveSharedSecretResponse(result.Key.Arn, result.SharedSecret, algorithm.ToWire(), result.Key.Origin.ToWire());
        }, response => CryptographicOperations.ZeroMemory(response.SharedSecret));
    }
}
